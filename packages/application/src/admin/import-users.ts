import {
  type Clock,
  DomainError,
  type ErrorCode,
  type FieldIssue,
  isDomainError,
  type PasswordHasher,
  type RequestContext,
  UNUSABLE_PASSWORD_HASH,
  type UnitOfWork,
  type UserRepository,
  validationError,
} from "@gatehouse/domain";
import { type AdminActor, assertMayGrant, grantOfRoles } from "../rbac/privilege.js";
import { audit } from "../shared/audit-entry-for.js";
import { type ImportCandidate, readImportLine } from "./import-user-line.js";

/** Lines one import call takes; a longer file is sent in parts (the CLI does it for you). */
export const IMPORT_MAX_LINES = 10_000;

export interface ImportFailure {
  /** 1-based line number in the file (blank lines count). */
  readonly line: number;
  readonly code: ErrorCode;
  readonly message: string;
}

export interface ImportReport {
  /** Rows written (with `dryRun`: rows that would be). */
  readonly created: number;
  /** Rows whose email a live user already holds: left untouched, so a re-run is harmless. */
  readonly skipped: number;
  readonly failed: readonly ImportFailure[];
}

export interface ImportUsersDeps {
  readonly uow: UnitOfWork;
  readonly users: Pick<UserRepository, "findByEmail" | "rolesNamed">;
  readonly hasher: Pick<PasswordHasher, "formatOf">;
  readonly clock: Clock;
}

/**
 * Who imports: an administrator over HTTP, or the operator at the CLI (`id` null, audited as
 * the `cli` origin), whose roles bound the roles the rows may grant.
 */
export interface ImportActor {
  readonly id: string | null;
  readonly access: AdminActor["access"];
}

export interface ImportOptions {
  /** Check every row and report, writing nothing. */
  readonly dryRun?: boolean;
  /** Number of the first line of `text` in its file, when a file is sent in parts; default 1. */
  readonly firstLine?: number;
}

type RowOutcome = "created" | "skipped" | ImportFailure;

const issuesMessage = (issues: readonly FieldIssue[]) =>
  issues.map((issue) => `${issue.field}: ${issue.message}`).join("; ");

/**
 * Imports users from JSON lines (one object per line: email, username?, full_name?,
 * phone_number?, organization?, department?, password_hash?, email_verified?, roles?, status?),
 * keeping each user's password hash in any format the hasher verifies (argon2, bcrypt, scrypt,
 * PBKDF2, Firebase scrypt) so they sign in with their old password and are re-hashed then.
 * Idempotent by email: a row whose email a live user holds is skipped, never updated. Each row
 * is its own transaction with its `user.import` audit row, so one bad row fails alone; the roles
 * may not grant more than the importing administrator holds. An infrastructure failure stops
 * the import (the rows before it stay; re-running resumes, since written rows are skipped).
 */
export function makeImportUsers(deps: ImportUsersDeps) {
  async function importRow(
    actor: ImportActor,
    line: number,
    candidate: ImportCandidate,
    ctx: RequestContext,
    dryRun: boolean,
  ): Promise<RowOutcome> {
    const format = candidate.passwordHash === undefined ? null : deps.hasher.formatOf(candidate.passwordHash);
    if (format === undefined) {
      return { line, code: "VALIDATION_ERROR", message: "password_hash: not a supported hash format" };
    }
    const roles = await deps.users.rolesNamed(candidate.roles);
    const unknown = candidate.roles.filter((name) => !roles.some((role) => role.name === name));
    if (unknown.length > 0) throw validationError([{ field: "roles", message: `unknown role: ${unknown.join(", ")}` }]);
    assertMayGrant(actor, grantOfRoles(roles));
    if ((await deps.users.findByEmail(candidate.email)) !== undefined) return "skipped";
    if (dryRun) return "created";
    const now = deps.clock.now();
    return deps.uow.run(async (tx) => {
      const user = await tx.users.create(
        {
          username: candidate.username,
          email: candidate.email,
          passwordHash: candidate.passwordHash ?? UNUSABLE_PASSWORD_HASH,
          fullName: candidate.fullName ?? null,
          phoneNumber: candidate.phoneNumber ?? null,
          organization: candidate.organization ?? null,
          department: candidate.department ?? null,
          status: candidate.status,
          emailVerifiedAt: candidate.emailVerified ? now : null,
        },
        candidate.roles,
      );
      await audit(tx, deps, ctx, {
        action: "user.import",
        userId: actor.id,
        resourceId: user.id,
        details: {
          line,
          roles: candidate.roles,
          status: candidate.status,
          hash_format: format,
          email_verified: candidate.emailVerified,
        },
      });
      return "created" as const;
    });
  }

  async function outcomeOf(actor: ImportActor, line: number, text: string, ctx: RequestContext, dryRun: boolean) {
    const read = readImportLine(text);
    if ("issues" in read) return { line, code: "VALIDATION_ERROR" as const, message: issuesMessage(read.issues) };
    try {
      return await importRow(actor, line, read.candidate, ctx, dryRun);
    } catch (error) {
      // Lost a race with another writer of the same email: it exists now, which is what a skip means.
      if (isDomainError(error) && error.code === "DUPLICATE_EMAIL") return "skipped";
      if (!isDomainError(error) || error.code === "SERVICE_UNAVAILABLE") throw error;
      const details = error.code === "VALIDATION_ERROR" ? (error.details as FieldIssue[] | undefined) : undefined;
      return { line, code: error.code, message: details ? issuesMessage(details) : error.message };
    }
  }

  return async function importUsers(
    actor: ImportActor,
    text: string,
    ctx: RequestContext,
    options: ImportOptions = {},
  ): Promise<ImportReport> {
    // A final line ending does not make one more line.
    const lines = text.replace(/\r?\n$/, "").split(/\r?\n/);
    if (lines.length > IMPORT_MAX_LINES) {
      throw new DomainError("VALIDATION_ERROR", `An import takes at most ${IMPORT_MAX_LINES} lines`, [
        { field: "body", message: `must have at most ${IMPORT_MAX_LINES} lines` },
      ]);
    }
    const first = options.firstLine ?? 1;
    let created = 0;
    let skipped = 0;
    const failed: ImportFailure[] = [];
    for (const [index, text] of lines.entries()) {
      if (text.trim() === "") continue;
      const outcome = await outcomeOf(actor, first + index, text, ctx, options.dryRun === true);
      if (outcome === "created") created += 1;
      else if (outcome === "skipped") skipped += 1;
      else failed.push(outcome);
    }
    return { created, skipped, failed };
  };
}

export type ImportUsers = ReturnType<typeof makeImportUsers>;
