import type { FieldIssue } from "@gatehouse/domain";

const FULL_NAME_MAX = 100;
const AFFILIATION_MAX = 100;
const PHONE = /^\+?[0-9 ()-]{5,20}$/;

/** The optional profile fields registration and administrators write; null clears, undefined keeps. */
export interface ProfileFields {
  readonly fullName?: string | null;
  readonly phoneNumber?: string | null;
  readonly organization?: string | null;
  readonly department?: string | null;
}

function lengthIssue(field: string, value: string | null | undefined, max: number): FieldIssue | undefined {
  if (value == null) return undefined;
  const trimmed = value.trim();
  return trimmed.length === 0 || trimmed.length > max ? { field, message: `must be 1-${max} characters` } : undefined;
}

/** Every problem with the optional profile fields at once. */
export function profileFieldIssues(input: ProfileFields): FieldIssue[] {
  const issues = [
    lengthIssue("full_name", input.fullName, FULL_NAME_MAX),
    input.phoneNumber != null && !PHONE.test(input.phoneNumber.trim())
      ? { field: "phone_number", message: "must be a phone number (digits, spaces, +, -, parentheses)" }
      : undefined,
    lengthIssue("organization", input.organization, AFFILIATION_MAX),
    lengthIssue("department", input.department, AFFILIATION_MAX),
  ];
  return issues.filter((issue): issue is FieldIssue => issue !== undefined);
}

/** A field as stored: trimmed, null when cleared, undefined when not given. */
export function trimmedOrNull(value: string | null | undefined): string | null | undefined {
  return value === undefined ? undefined : (value?.trim() ?? null);
}
