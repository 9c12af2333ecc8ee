import { stringOption } from "./command.js";
import { readNewPassword } from "./password-input.js";
import { userChangeCommand } from "./user-change-command.js";

export const usersResetPassword = userChangeCommand({
  name: "users reset-password",
  summary: "Set a user's password (--password-file, piped stdin, or a prompt); every session ends",
  past: "password set for",
  declare: (command) => command.option("--password-file <file>", "read the password from the first line of this file"),
  change: async (op, userId, { options }) =>
    op.setUserPassword(op.actor, userId, await readNewPassword(stringOption(options, "passwordFile")), op.ctx),
});
