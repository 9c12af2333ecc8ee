import {
  checkEmail,
  checkPassword,
  checkUsername,
  type FieldIssue,
  type NewUser,
  normalizeEmail,
  type PasswordPolicy,
  validationError,
} from "@gatehouse/domain";

export interface NewAccountInput {
  readonly username: string;
  readonly email: string;
  readonly password: string;
  readonly fullName?: string | null;
  readonly phoneNumber?: string | null;
}

const FULL_NAME_MAX = 100;
const PHONE = /^\+?[0-9 ()-]{5,20}$/;

function optionalFieldIssues(input: NewAccountInput): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const fullName = input.fullName?.trim();
  if (fullName != null && (fullName.length === 0 || fullName.length > FULL_NAME_MAX)) {
    issues.push({ field: "full_name", message: `must be 1-${FULL_NAME_MAX} characters` });
  }
  if (input.phoneNumber != null && !PHONE.test(input.phoneNumber.trim())) {
    issues.push({ field: "phone_number", message: "must be a phone number (digits, spaces, +, -, parentheses)" });
  }
  return issues;
}

/** The active, unverified user a validated account input describes. */
export function newActiveUser(input: NewAccountInput, email: string, passwordHash: string): NewUser {
  return {
    username: input.username,
    email,
    passwordHash,
    fullName: input.fullName?.trim() ?? null,
    phoneNumber: input.phoneNumber?.trim() ?? null,
    status: "active",
    emailVerifiedAt: null,
  };
}

/**
 * The registration rules every new account obeys, however it is created (self-registration,
 * the admin CLI, the bootstrap admin): every bad field reported at once. Returns the
 * normalized email.
 * @throws DomainError VALIDATION_ERROR
 */
export function validateNewAccount(input: NewAccountInput, policy: PasswordPolicy): { email: string } {
  const email = normalizeEmail(input.email);
  const issues = [
    checkUsername(input.username),
    checkEmail(email),
    checkPassword(input.password, policy),
    ...optionalFieldIssues(input),
  ].filter((issue): issue is FieldIssue => issue !== undefined);
  if (issues.length > 0) throw validationError(issues);
  return { email };
}
