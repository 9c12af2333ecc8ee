import {
  checkEmail,
  checkUsername,
  type FieldIssue,
  type NewUser,
  normalizeEmail,
  type PasswordPolicy,
  validationError,
} from "@gatehouse/domain";
import { checkNewPassword } from "../shared/new-password.js";
import { profileFieldIssues } from "../shared/profile-fields.js";

export interface NewAccountInput {
  readonly username: string;
  readonly email: string;
  readonly password: string;
  readonly fullName?: string | null;
  readonly phoneNumber?: string | null;
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
export async function validateNewAccount(input: NewAccountInput, policy: PasswordPolicy): Promise<{ email: string }> {
  const email = normalizeEmail(input.email);
  const issues = [
    checkUsername(input.username),
    checkEmail(email),
    await checkNewPassword(input.password, policy, { email, username: input.username }),
    ...profileFieldIssues(input),
  ].filter((issue): issue is FieldIssue => issue !== undefined);
  if (issues.length > 0) throw validationError(issues);
  return { email };
}
