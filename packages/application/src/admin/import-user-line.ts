import {
  type AccountStatus,
  checkEmail,
  checkUsername,
  type FieldIssue,
  normalizeEmail,
  USERNAME_MAX,
  USERNAME_MIN,
} from "@gatehouse/domain";
import { type ProfileFields, profileFieldIssues, trimmedOrNull } from "../shared/profile-fields.js";
import { CreatableStatuses } from "./create-user.js";

/** One user to import, as read from a JSON line (snake_case, like the API). */
export interface ImportCandidate extends ProfileFields {
  readonly email: string;
  readonly username: string;
  /** Absent: the account gets no usable password until its owner resets it. */
  readonly passwordHash: string | undefined;
  readonly emailVerified: boolean;
  readonly roles: readonly string[];
  readonly status: AccountStatus;
}

const FIELDS = new Set([
  "email",
  "username",
  "full_name",
  "phone_number",
  "organization",
  "department",
  "password_hash",
  "email_verified",
  "roles",
  "status",
]);

/**
 * A username from the email's local part for rows that bring none: the characters a username
 * may not hold become '_', padded or cut to the allowed length. A collision is reported for the
 * row (DUPLICATE_USERNAME), never resolved by guessing another name.
 */
function usernameFromEmail(email: string): string {
  const local = (email.split("@")[0] ?? "").replace(/[^A-Za-z0-9_.-]/g, "_");
  return local.padEnd(USERNAME_MIN, "_").slice(0, USERNAME_MAX);
}

type Fields = Record<string, unknown>;

const optionalString = (fields: Fields, name: string, issues: FieldIssue[]): string | undefined => {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  issues.push({ field: name, message: "must be a string" });
  return undefined;
};

function rolesOf(fields: Fields, issues: FieldIssue[]): readonly string[] {
  const roles = fields.roles;
  if (roles === undefined || roles === null) return ["user"];
  if (Array.isArray(roles) && roles.length > 0 && roles.every((role) => typeof role === "string")) {
    return [...new Set(roles as string[])];
  }
  issues.push({ field: "roles", message: "must be a non-empty list of role names" });
  return [];
}

function statusOf(fields: Fields, issues: FieldIssue[]): AccountStatus {
  const status = fields.status ?? "active";
  if ((CreatableStatuses as readonly unknown[]).includes(status)) return status as AccountStatus;
  issues.push({ field: "status", message: `must be one of ${CreatableStatuses.join(", ")}` });
  return "active";
}

/**
 * Reads one line of an import into a candidate, or the field issues that refuse it. The hash is
 * only checked for being a string here; whether its format is one Gatehouse verifies is the
 * hasher's call (`formatOf`).
 */
export function readImportLine(line: string): { candidate: ImportCandidate } | { issues: FieldIssue[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { issues: [{ field: "line", message: "is not valid JSON" }] };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { issues: [{ field: "line", message: "must be a JSON object" }] };
  }
  const fields = parsed as Fields;
  const issues: FieldIssue[] = Object.keys(fields)
    .filter((name) => !FIELDS.has(name))
    .map((name) => ({ field: name, message: "is not an import field" }));
  const rawEmail = optionalString(fields, "email", issues);
  if (rawEmail === undefined) issues.push({ field: "email", message: "is required" });
  const email = normalizeEmail(rawEmail ?? "");
  const username = optionalString(fields, "username", issues) ?? usernameFromEmail(email);
  const profile: ProfileFields = {
    fullName: trimmedOrNull(optionalString(fields, "full_name", issues)) ?? null,
    phoneNumber: trimmedOrNull(optionalString(fields, "phone_number", issues)) ?? null,
    organization: trimmedOrNull(optionalString(fields, "organization", issues)) ?? null,
    department: trimmedOrNull(optionalString(fields, "department", issues)) ?? null,
  };
  const passwordHash = optionalString(fields, "password_hash", issues);
  const verified = fields.email_verified ?? false;
  if (typeof verified !== "boolean") issues.push({ field: "email_verified", message: "must be true or false" });
  const roles = rolesOf(fields, issues);
  const status = statusOf(fields, issues);
  if (rawEmail !== undefined) {
    issues.push(
      ...[checkEmail(email), checkUsername(username), ...profileFieldIssues(profile)].filter(
        (issue): issue is FieldIssue => issue !== undefined,
      ),
    );
  }
  if (issues.length > 0) return { issues };
  return { candidate: { email, username, ...profile, passwordHash, emailVerified: verified === true, roles, status } };
}
