import { CreatableStatuses } from "@gatehouse/application";
import { type CliCommand, collect, listOption, requiredOption, stringOption, UsageError } from "./command.js";
import { withOperator } from "./operator.js";
import { readNewPassword } from "./password-input.js";
import { userDetails, userView } from "./user-view.js";

export const usersCreate: CliCommand = {
  name: "users create",
  summary: "Create a user (--role repeatable, default user; --no-password: set later by reset)",
  declare: (command) =>
    command
      .option("--email <email>", "the account's email")
      .option("--username <name>", "the account's username")
      .option("--role <role>", "a role to give (repeatable)", collect)
      .option("--status <status>", `one of ${CreatableStatuses.join(", ")} (default active)`)
      .option("--password-file <file>", "read the password from the first line of this file")
      .option("--no-password", "create the account without a usable password"),
  async run({ options, out }) {
    const email = requiredOption(options, "email");
    const username = requiredOption(options, "username");
    const roles = listOption(options, "role");
    const statusName = stringOption(options, "status");
    const status = CreatableStatuses.find((candidate) => candidate === statusName);
    if (statusName !== undefined && status === undefined) {
      throw new UsageError(`--status must be one of ${CreatableStatuses.join(", ")}`);
    }
    const password =
      options.password === false ? undefined : await readNewPassword(stringOption(options, "passwordFile"));
    const created = await withOperator((op) =>
      op.admin.createUser(
        op.actor,
        {
          email,
          username,
          ...(password === undefined ? {} : { password }),
          ...(roles.length > 0 ? { roles } : {}),
          ...(status === undefined ? {} : { status }),
        },
        op.ctx,
      ),
    );
    const view = userView(
      created.user,
      created.roles.map((role) => role.name),
    );
    out.result(view, () => `created user ${view.username} <${view.email}> (${view.id})\n${userDetails(view)}`);
  },
};
