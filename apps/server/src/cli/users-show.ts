import { type CliCommand, positional } from "./command.js";
import { withOperator } from "./operator.js";
import { userDetails, userView } from "./user-view.js";

export const usersShow: CliCommand = {
  name: "users show",
  summary: "Show one user by id or email, with roles (soft-deleted ones too, by id)",
  declare: (command) => command.argument("<user>", "user id or email"),
  async run(input) {
    const ref = positional(input, 0, "user");
    const account = await withOperator(async (op) => op.admin.getUser(await op.userIdOf(ref)));
    const view = userView(
      account.user,
      account.roles.map((role) => role.name),
    );
    input.out.result(view, () => userDetails(view));
  },
};
