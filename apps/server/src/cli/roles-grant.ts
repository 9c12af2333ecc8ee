import { type CliCommand, positional } from "./command.js";
import { withOperator } from "./operator.js";
import { permissionIdsOf, roleIdOf } from "./role-lookup.js";
import { roleLine, roleView } from "./role-view.js";

export const rolesGrant: CliCommand = {
  name: "roles grant",
  summary: "Grant permissions to a role (system roles cannot be changed)",
  declare: (command) => command.argument("<role>", "role name or id").argument("<permissions...>", "permission names"),
  async run(input) {
    const roleRef = positional(input, 0, "role");
    positional(input, 1, "permissions");
    const names = [...new Set(input.args.slice(1))];
    const role = await withOperator(async (op) =>
      op.rbac.grantRolePermissions(op.actor, await roleIdOf(op, roleRef), await permissionIdsOf(op, names), op.ctx),
    );
    const view = roleView(role);
    input.out.result(view, () => `granted: ${roleLine(view)}`);
  },
};
