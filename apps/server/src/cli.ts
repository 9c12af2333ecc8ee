#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { isDomainError } from "@gatehouse/domain";
import { ConfigError, DataDirInUseError, describeDatabaseFailure, loadConfig } from "@gatehouse/infrastructure";
import { createAdminAccount } from "./admin-account.js";
import { KEYS_COMMANDS, KEYS_USAGE } from "./keys-command.js";
import { PromptInterruptedError, readSecretLine } from "./secret-prompt.js";
import { openAdapters } from "./wiring/adapters.js";

const USAGE = `Usage:
  gatehouse admin create --email <email> --username <name> [--password-file <file>]
      Creates a super_admin. The password comes from --password-file, else from standard
      input when it is not a terminal, else from a prompt (typed twice, not echoed).
  gatehouse serve
      Starts the server (same as node dist/main.js).
${KEYS_USAGE}

Uses the same configuration as the server: DATABASE_URL, else the embedded database in DATA_DIR
(stop the server first: the embedded database allows one process at a time).`;

class UsageError extends Error {}

/** The first line of a file or stream, without its line ending: `echo pw > f` adds one. */
function firstLine(text: string): string {
  return text.replace(/\r?\n[\s\S]*$/, "");
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function readPassword(passwordFile: string | undefined): Promise<string> {
  if (passwordFile !== undefined) return firstLine(readFileSync(passwordFile, "utf8"));
  if (!process.stdin.isTTY) return firstLine(await readStdin());
  const password = await readSecretLine("Password: ");
  if ((await readSecretLine("Repeat password: ")) !== password) throw new UsageError("the passwords do not match");
  return password;
}

async function adminCreate(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { email: { type: "string" }, username: { type: "string" }, "password-file": { type: "string" } },
    strict: true,
  });
  if (values.email === undefined || values.username === undefined) {
    throw new UsageError("--email and --username are required");
  }
  const config = loadConfig();
  const password = await readPassword(values["password-file"]);
  // The operator's first command may precede the first server start: always migrate.
  const adapters = await openAdapters({ ...config, autoMigrate: true });
  try {
    const result = await createAdminAccount(
      config,
      adapters.database,
      { email: values.email, username: values.username, password },
      { onlyIfNone: false, origin: "cli" },
    );
    if (result.created) {
      process.stdout.write(`created super_admin ${result.user.username} <${result.user.email}> (${result.user.id})\n`);
    }
  } finally {
    await adapters.close();
  }
}

/** A refusal the operator can act on, in one line; never the password. */
function describeFailure(error: unknown): string {
  if (error instanceof UsageError) return `${error.message}\n\n${USAGE}`;
  if (isDomainError(error)) {
    const details = Array.isArray(error.details)
      ? (error.details as Array<{ field: string; message: string }>).map((d) => `\n  ${d.field}: ${d.message}`).join("")
      : "";
    return `${error.code}: ${error.message}${details}`;
  }
  if (error instanceof ConfigError) return `invalid configuration: ${error.message}`;
  if (error instanceof DataDirInUseError) return error.message;
  const database = describeDatabaseFailure(error);
  if (database !== undefined) return database;
  if (error instanceof TypeError && (error as NodeJS.ErrnoException).code?.startsWith("ERR_PARSE_ARGS")) {
    return `${error.message}\n\n${USAGE}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * Every "<group> <command>" the CLI knows, each a self-contained function of its remaining
 * arguments: registering one is one line here plus its line in USAGE.
 */
const COMMANDS: Readonly<Record<string, (args: string[]) => Promise<void>>> = {
  "admin create": adminCreate,
  ...KEYS_COMMANDS,
};

async function main(argv: string[]): Promise<void> {
  const [command, sub, ...rest] = argv;
  if (command === undefined || command === "serve") {
    await import("./main.js");
    return;
  }
  const run = COMMANDS[`${command} ${sub ?? ""}`];
  if (run !== undefined) return run(rest);
  if (command === "help" || command === "--help" || command === "-h") {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  throw new UsageError(`unknown command: ${argv.join(" ")}`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  // 130 = 128 + SIGINT, what a shell reports for a command stopped with Ctrl-C.
  if (error instanceof PromptInterruptedError) process.exit(130);
  process.stderr.write(`gatehouse: ${describeFailure(error)}\n`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
