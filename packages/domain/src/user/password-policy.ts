import type { FieldIssue } from "../errors/domain-error.js";

/** The default password rules: length bounds plus an upper-case letter, a lower-case letter and a digit. */
export interface PasswordPolicy {
  readonly minLength: number;
  /** Enforced before hashing, so a huge input never reaches argon2. */
  readonly maxLength: number;
}

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = { minLength: 8, maxLength: 128 };

export function checkPassword(
  password: string,
  policy: PasswordPolicy = DEFAULT_PASSWORD_POLICY,
  field = "password",
): FieldIssue | undefined {
  if (password.length < policy.minLength || password.length > policy.maxLength) {
    return { field, message: `must be ${policy.minLength}-${policy.maxLength} characters` };
  }
  if (!/[A-Z]/.test(password) || !/[a-z]/.test(password) || !/[0-9]/.test(password)) {
    return { field, message: "must contain an upper-case letter, a lower-case letter and a digit" };
  }
  return undefined;
}
