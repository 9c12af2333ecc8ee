import { type CliCommand, requiredOption } from "./command.js";
import { withOperator } from "./operator.js";

export const sessionsRevoke: CliCommand = {
  name: "sessions revoke",
  summary: "End every session of a user (--user id or email); the account stays as it is",
  declare: (command) => command.option("--user <user>", "user id or email"),
  async run({ options, out }) {
    const ref = requiredOption(options, "user");
    const result = await withOperator(async (op) => {
      const userId = await op.userIdOf(ref);
      const { sessionsRevoked } = await op.revokeUserSessions(op.actor, userId, op.ctx);
      return { user_id: userId, sessions_revoked: sessionsRevoked };
    });
    out.result(result, () => `revoked ${result.sessions_revoked} session(s) of ${result.user_id}`);
  },
};
