import { type CliCommand, positional } from "./command.js";
import { withOperator } from "./operator.js";

export const usersSetRole: CliCommand = {
  name: "users set-role",
  summary: "Make a user hold exactly these roles (given first, then the others taken away)",
  declare: (command) => command.argument("<user>", "user id or email").argument("<roles...>", "role names"),
  async run(input) {
    const ref = positional(input, 0, "user");
    const wanted = [...new Set(input.args.slice(1))];
    positional(input, 1, "roles");
    const result = await withOperator(async (op) => {
      const userId = await op.userIdOf(ref);
      // Assigning first keeps the user holding a role throughout, and lets the last super_admin
      // rule see the final state.
      let roles = (await op.rbac.assignUserRoles(op.actor, userId, { names: wanted }, op.ctx)).roles;
      for (const role of roles.filter((held) => !wanted.includes(held.name))) {
        roles = (await op.rbac.unassignUserRole(op.actor, userId, role.id, op.ctx)).roles;
      }
      return { user_id: userId, roles: roles.map((role) => role.name) };
    });
    input.out.result(result, () => `${result.user_id} now holds: ${result.roles.join(", ")}`);
  },
};
