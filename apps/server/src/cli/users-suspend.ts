import { requiredOption } from "./command.js";
import { userChangeCommand } from "./user-change-command.js";

export const usersSuspend = userChangeCommand({
  name: "users suspend",
  summary: "Suspend a user (--reason required); every session ends",
  past: "suspended",
  declare: (command) => command.option("--reason <text>", "why (stored on the user, 1-500 characters)"),
  change: (op, userId, { options }) =>
    op.admin.suspendUser(op.actor, userId, requiredOption(options, "reason"), op.ctx),
});
