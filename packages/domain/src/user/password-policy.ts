import type { FieldIssue } from "../errors/domain-error.js";
import type { PasswordAdvisor, PasswordScreen } from "../ports/password-screen.js";

/**
 * The password rules, aligned with NIST SP 800-63B: length over composition. Lengths count code
 * points (what a user typed), not UTF-16 units or bytes; 128 code points are at most 512 UTF-8
 * bytes, far below argon2's input limit, and the maximum is enforced before hashing.
 */
export interface PasswordPolicy {
  readonly minLength: number;
  /** Enforced before hashing, so a huge input never reaches argon2. */
  readonly maxLength: number;
  /** Require an upper-case letter, a lower-case letter and a digit (off by default). */
  readonly composition?: boolean;
  /** The lists and checks a new password must pass, in order (the cheap offline ones first). */
  readonly screens?: readonly PasswordScreen[];
  /** Strength feedback attached to a refusal by the context words or a screen (optional). */
  readonly advisor?: PasswordAdvisor;
}

export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = { minLength: 8, maxLength: 128 };

/** The number of code points in a password: what its length rules count. */
export function passwordLength(password: string): number {
  let count = 0;
  for (const _ of password) count += 1;
  return count;
}

/** The shape rules of a new password (length, optional composition); lists are `checkNewPassword`'s. */
export function checkPassword(
  password: string,
  policy: PasswordPolicy = DEFAULT_PASSWORD_POLICY,
  field = "password",
): FieldIssue | undefined {
  const length = passwordLength(password);
  if (length < policy.minLength || length > policy.maxLength) {
    return { field, message: `must be ${policy.minLength}-${policy.maxLength} characters` };
  }
  if (policy.composition === true && (!/[A-Z]/.test(password) || !/[a-z]/.test(password) || !/[0-9]/.test(password))) {
    return { field, message: "must contain an upper-case letter, a lower-case letter and a digit" };
  }
  return undefined;
}
