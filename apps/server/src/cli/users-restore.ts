import { userChangeCommand } from "./user-change-command.js";

export const usersRestore = userChangeCommand({
  name: "users restore",
  summary: "Restore a soft-deleted user (by id)",
  past: "restored",
  change: async (op, userId) => (await op.admin.restoreUser(op.actor, userId, op.ctx)).user,
});
