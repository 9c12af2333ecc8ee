import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { IMPORT_MAX_LINES, type ImportReport, makeImportUsers } from "@gatehouse/application";
import { SystemRoles } from "@gatehouse/domain";
import { loadConfig, makeArgon2Hasher, systemClock } from "@gatehouse/infrastructure";
import { operatorContext } from "../admin-account.js";
import { openAdapters } from "../wiring/adapters.js";

export const USERS_IMPORT_USAGE = `  gatehouse users import FILE [--dry-run] [--json]
      Imports users from JSON lines (one object per line: email, username?, full_name?,
      password_hash?, email_verified?, roles?, status?; the same as POST /api/v1/admin/users/import),
      keeping their bcrypt/scrypt/PBKDF2/Firebase scrypt/argon2 hashes. Existing emails are
      skipped, so a re-run resumes. --dry-run checks every line and writes nothing; --json prints
      the report as JSON.`;

/** The file in parts of at most one import call each, numbered as lines of the whole file. */
function partsOf(text: string): Array<{ text: string; firstLine: number }> {
  const lines = text.replace(/\r?\n$/, "").split(/\r?\n/);
  const parts: Array<{ text: string; firstLine: number }> = [];
  for (let start = 0; start < lines.length; start += IMPORT_MAX_LINES) {
    parts.push({ text: lines.slice(start, start + IMPORT_MAX_LINES).join("\n"), firstLine: start + 1 });
  }
  return parts;
}

function summary(report: ImportReport, dryRun: boolean): string {
  const verb = dryRun ? "would create" : "created";
  const lines = [`${verb} ${report.created}, skipped ${report.skipped}, failed ${report.failed.length}`];
  for (const failure of report.failed) lines.push(`  line ${failure.line}: ${failure.code}: ${failure.message}`);
  return `${lines.join("\n")}\n`;
}

/**
 * `gatehouse users import FILE`: the API's import use case run by the operator, who holds the
 * database and so acts as a super_admin; audit rows carry the `cli` origin and no actor. Exits
 * non-zero when a line failed, so a script notices.
 */
export async function usersImport(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: { "dry-run": { type: "boolean" }, json: { type: "boolean" } },
    allowPositionals: true,
    strict: true,
  });
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) {
    // Coded like node:util's own parse errors, so the CLI answers it with the usage text.
    throw Object.assign(new TypeError("users import takes exactly one FILE"), { code: "ERR_PARSE_ARGS_USERS_IMPORT" });
  }
  const text = readFileSync(file, "utf8");
  const dryRun = values["dry-run"] === true;
  const config = loadConfig();
  const adapters = await openAdapters({ ...config, autoMigrate: true });
  try {
    const importUsers = makeImportUsers({
      uow: adapters.uow,
      users: adapters.repositories.users,
      hasher: makeArgon2Hasher({ maxConcurrency: config.argon2MaxConcurrency }),
      clock: systemClock,
    });
    const actor = { id: null, access: { roles: [SystemRoles.superAdmin], permissions: [] } };
    const ctx = operatorContext("cli");
    let created = 0;
    let skipped = 0;
    const failed: ImportReport["failed"][number][] = [];
    for (const part of partsOf(text)) {
      const report = await importUsers(actor, part.text, ctx, { dryRun, firstLine: part.firstLine });
      created += report.created;
      skipped += report.skipped;
      failed.push(...report.failed);
    }
    const report: ImportReport = { created, skipped, failed };
    process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : summary(report, dryRun));
    if (failed.length > 0) process.exitCode = 1;
  } finally {
    await adapters.close();
  }
}
