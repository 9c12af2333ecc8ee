import { userChangeCommand } from "./user-change-command.js";

export const usersReactivate = userChangeCommand({
  name: "users reactivate",
  summary: "Reactivate a suspended or deactivated user",
  past: "reactivated",
  change: (op, userId) => op.admin.reactivateUser(op.actor, userId, op.ctx),
});
