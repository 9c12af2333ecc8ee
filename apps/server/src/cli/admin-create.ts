import { loadConfig } from "@gatehouse/infrastructure";
import { createAdminAccount } from "../admin-account.js";
import { openAdapters } from "../wiring/adapters.js";
import { type CliCommand, stringOption, UsageError } from "./command.js";
import { readNewPassword } from "./password-input.js";

export const adminCreate: CliCommand = {
  name: "admin create",
  summary: "Create a super_admin (password from --password-file, piped stdin, or a prompt)",
  declare: (command) =>
    command
      .option("--email <email>", "the account's email")
      .option("--username <name>", "the account's username")
      .option("--password-file <file>", "read the password from the first line of this file"),
  async run({ options, out }) {
    const email = stringOption(options, "email");
    const username = stringOption(options, "username");
    if (email === undefined || username === undefined) throw new UsageError("--email and --username are required");
    const config = loadConfig();
    const password = await readNewPassword(stringOption(options, "passwordFile"));
    // The operator's first command may precede the first server start: always migrate.
    const adapters = await openAdapters({ ...config, autoMigrate: true });
    try {
      const result = await createAdminAccount(
        config,
        adapters.database,
        { email, username, password },
        { onlyIfNone: false, origin: "cli" },
      );
      if (result.created) {
        const { user } = result;
        out.result(
          { id: user.id, username: user.username, email: user.email, role: "super_admin" },
          () => `created super_admin ${user.username} <${user.email}> (${user.id})`,
        );
      }
    } finally {
      await adapters.close();
    }
  },
};
