import { type CliCommand, table } from "./command.js";
import { withOperator } from "./operator.js";
import { roleView } from "./role-view.js";

export const rolesList: CliCommand = {
  name: "roles list",
  summary: "List roles with their permissions and holder counts",
  async run({ out }) {
    const roles = await withOperator((op) => op.rbac.listRoles());
    const views = roles.map(roleView);
    out.result(views, () =>
      table(
        ["NAME", "SYSTEM", "USERS", "PERMISSIONS"],
        views.map((role) => [
          role.name,
          role.is_system ? "yes" : "",
          String(role.user_count),
          role.permissions.join(","),
        ]),
      ),
    );
  },
};
