import { readFileSync } from "node:fs";
import { IMPORT_MAX_LINES, type ImportReport } from "@gatehouse/application";
import { type CliCommand, UsageError } from "./command.js";
import { withOperator } from "./operator.js";

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
 * `gatehouse users import FILE`: the API's import use case run by the operator (a super_admin,
 * audited with the `cli` origin and no actor). Existing emails are skipped, so a re-run resumes;
 * exits non-zero when a line failed, so a script notices.
 */
export const usersImport: CliCommand = {
  name: "users import",
  summary:
    "Import users from JSON lines (email, username?, full_name?, password_hash?, email_verified?, roles?, " +
    "status?), keeping their bcrypt/scrypt/PBKDF2/Firebase scrypt/argon2 hashes; existing emails are skipped",
  declare: (command) =>
    command.argument("[file]", "the JSON-lines file").option("--dry-run", "check every line and write nothing"),
  async run({ args, options, out }) {
    const [file, ...extra] = args;
    if (file === undefined || extra.length > 0)
      throw new UsageError("users import takes exactly one FILE: gatehouse users import FILE [--dry-run] [--json]");
    const text = readFileSync(file, "utf8");
    const dryRun = options.dryRun === true;
    const report = await withOperator(async (op) => {
      let created = 0;
      let skipped = 0;
      const failed: ImportReport["failed"][number][] = [];
      for (const part of partsOf(text)) {
        const partial = await op.admin.importUsers(op.actor, part.text, op.ctx, { dryRun, firstLine: part.firstLine });
        created += partial.created;
        skipped += partial.skipped;
        failed.push(...partial.failed);
      }
      return { created, skipped, failed } satisfies ImportReport;
    });
    out.result(report, () => summary(report, dryRun).trimEnd());
    if (report.failed.length > 0) process.exitCode = 1;
  },
};
