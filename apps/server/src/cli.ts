#!/usr/bin/env node
import { isDomainError } from "@gatehouse/domain";
import { ConfigError, DataDirInUseError, describeDatabaseFailure } from "@gatehouse/infrastructure";
import { Command, CommanderError } from "commander";
import { adminCreate } from "./cli/admin-create.js";
import { type CliCommand, outputFor, UsageError } from "./cli/command.js";
import { configCheck } from "./cli/config-check.js";
import { keycloakSync } from "./cli/keycloak-sync.js";
import { keysList, keysRotate } from "./cli/keys.js";
import { migrate } from "./cli/migrate.js";
import { passwordsBuildFilter } from "./cli/passwords-build-filter.js";
import { rolesCreate } from "./cli/roles-create.js";
import { rolesGrant } from "./cli/roles-grant.js";
import { rolesList } from "./cli/roles-list.js";
import { sessionsRevoke } from "./cli/sessions-revoke.js";
import { usersCreate } from "./cli/users-create.js";
import { usersDelete } from "./cli/users-delete.js";
import { usersExport } from "./cli/users-export.js";
import { usersImport } from "./cli/users-import.js";
import { usersList } from "./cli/users-list.js";
import { usersReactivate } from "./cli/users-reactivate.js";
import { usersResetPassword } from "./cli/users-reset-password.js";
import { usersRestore } from "./cli/users-restore.js";
import { usersSetRole } from "./cli/users-set-role.js";
import { usersShow } from "./cli/users-show.js";
import { usersSuspend } from "./cli/users-suspend.js";
import { PromptInterruptedError } from "./secret-prompt.js";

/** Every command the CLI knows, each in its own file under cli/: registering one is one entry here. */
const COMMANDS: readonly CliCommand[] = [
  adminCreate,
  usersList,
  usersShow,
  usersCreate,
  usersSuspend,
  usersReactivate,
  usersDelete,
  usersRestore,
  usersResetPassword,
  usersSetRole,
  usersExport,
  usersImport,
  rolesList,
  rolesCreate,
  rolesGrant,
  sessionsRevoke,
  migrate,
  configCheck,
  passwordsBuildFilter,
  keysRotate,
  keysList,
  keycloakSync,
];

const ABOUT = [
  "Gatehouse administration. Uses the same configuration as the server: DATABASE_URL, else the",
  "embedded database in DATA_DIR (stop the server first: it allows one process at a time).",
  'Every change goes through the API\'s use cases and is audited with user agent "gatehouse cli".',
  'Without a command (or with "serve") it starts the server.',
].join(" ");
/** The commander program: one subcommand per entry, grouped by its first word ("users list"). */
function programOf(commands: readonly CliCommand[]): Command {
  const root = new Command("gatehouse")
    .description(ABOUT)
    .option("--json", "print the result as JSON instead of a table")
    .exitOverride()
    // The refusal is printed once, by the catch below, as one line.
    .configureOutput({ outputError: () => {} });
  root.command("serve").description("Start the server (same as node dist/main.js)");
  const groups = new Map<string, Command>();
  for (const spec of commands) {
    const [first = "", second] = spec.name.split(" ");
    let parent = root;
    if (second !== undefined) {
      parent = groups.get(first) ?? root.command(first).description(`${first} commands`);
      groups.set(first, parent);
    }
    const command = parent.command(second ?? first).description(spec.summary);
    (spec.declare?.(command) ?? command).action(async (...params: unknown[]) => {
      const self = params[params.length - 1] as Command;
      const options = self.optsWithGlobals<Record<string, unknown>>();
      await spec.run({ args: self.args, options, out: outputFor(options.json === true) });
    });
  }
  return root;
}

/** A refusal the operator can act on, in one line; never a password or a stack. */
function describeFailure(error: unknown): string {
  if (error instanceof UsageError) return `${error.message} (see gatehouse --help)`;
  if (error instanceof CommanderError) return `${error.message.replace(/^error: /, "")} (see gatehouse --help)`;
  if (isDomainError(error)) {
    const details = Array.isArray(error.details)
      ? (error.details as Array<{ field: string; message: string }>).map((d) => `; ${d.field}: ${d.message}`).join("")
      : "";
    return `${error.code}: ${error.message}${details}`;
  }
  if (error instanceof ConfigError) return `invalid configuration: ${error.message}`;
  if (error instanceof DataDirInUseError) return error.message;
  const database = describeDatabaseFailure(error);
  if (database !== undefined) return database;
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "failed";
}

async function main(argv: string[]): Promise<void> {
  const [command] = argv;
  if (command === undefined || command === "serve") {
    await import("./main.js");
    return;
  }
  // 130 = 128 + SIGINT, what a shell reports for a command stopped with Ctrl-C.
  process.on("SIGINT", () => process.exit(130));
  await programOf(COMMANDS).parseAsync(argv, { from: "user" });
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof PromptInterruptedError) process.exit(130);
  if (error instanceof CommanderError && ["commander.helpDisplayed", "commander.version"].includes(error.code)) {
    process.exit(0);
  }
  if (error instanceof CommanderError && error.code === "commander.help") process.exit(0);
  process.stderr.write(`gatehouse: ${describeFailure(error)}\n`);
  process.exit(error instanceof UsageError || error instanceof CommanderError ? 2 : 1);
});
