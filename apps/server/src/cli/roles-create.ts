import { type CliCommand, collect, listOption, positional, stringOption } from "./command.js";
import { withOperator } from "./operator.js";
import { permissionIdsOf } from "./role-lookup.js";
import { roleLine, roleView } from "./role-view.js";

export const rolesCreate: CliCommand = {
  name: "roles create",
  summary: "Create a role (--description, --permission repeatable)",
  declare: (command) =>
    command
      .argument("<name>", "role name: 2-50 of a-z, 0-9, _")
      .option("--description <text>", "what the role is for")
      .option("--permission <name>", "a permission to grant (repeatable)", collect),
  async run(input) {
    const name = positional(input, 0, "name");
    const description = stringOption(input.options, "description");
    const permissions = listOption(input.options, "permission");
    const role = await withOperator(async (op) => {
      const created = await op.rbac.createRole(op.actor, { name, description: description ?? null }, op.ctx);
      if (permissions.length === 0) return created;
      return op.rbac.grantRolePermissions(op.actor, created.id, await permissionIdsOf(op, permissions), op.ctx);
    });
    const view = roleView(role);
    input.out.result(view, () => `created ${roleLine(view)}`);
  },
};
