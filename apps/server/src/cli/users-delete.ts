import { userChangeCommand } from "./user-change-command.js";

export const usersDelete = userChangeCommand({
  name: "users delete",
  summary: "Soft-delete a user (restorable); every session ends",
  past: "deleted",
  change: (op, userId) => op.admin.deleteUser(op.actor, userId, op.ctx),
});
