import type { User } from "@gatehouse/domain";
import { type CliCommand, type CliInput, positional } from "./command.js";
import { type OperatorSession, withOperator } from "./operator.js";
import { userView } from "./user-view.js";

/**
 * The shape of the one-user lifecycle commands (suspend, reactivate, delete, restore): resolve
 * the user, run the API's use case as the CLI actor, print the user after the change.
 */
export function userChangeCommand(spec: {
  readonly name: string;
  readonly summary: string;
  readonly past: string;
  readonly declare?: CliCommand["declare"];
  readonly change: (op: OperatorSession, userId: string, input: CliInput) => Promise<User>;
}): CliCommand {
  return {
    name: spec.name,
    summary: spec.summary,
    declare: (command) => {
      const withUser = command.argument("<user>", "user id or email");
      return spec.declare === undefined ? withUser : spec.declare(withUser);
    },
    async run(input) {
      const ref = positional(input, 0, "user");
      const user = await withOperator(async (op) => spec.change(op, await op.userIdOf(ref), input));
      const view = userView(user);
      input.out.result(
        view,
        () =>
          `${spec.past} ${view.username} <${view.email}> (${view.id}): ${view.deleted_at ? "deleted" : view.status}`,
      );
    },
  };
}
