import {
  type AuditAction,
  type Clock,
  DomainError,
  normalizeEmail,
  type PasswordHasher,
  type PasswordPolicy,
  type RequestContext,
  type UnitOfWork,
  type User,
  type UserRepository,
  validationError,
} from "@gatehouse/domain";
import { recordRefusal } from "../shared/refusals.js";

export interface CheckCredentialsDeps {
  readonly users: Pick<UserRepository, "findByEmail">;
  readonly uow: UnitOfWork;
  readonly hasher: Pick<PasswordHasher, "verify">;
  readonly clock: Clock;
  readonly passwordPolicy: PasswordPolicy;
}

export const invalidCredentials = () => new DomainError("INVALID_CREDENTIALS", "Invalid email or password");

/** Hooks around the check, keyed by the normalized email as typed (never by the account). */
export interface CredentialsGuard {
  /** Runs before the lookup; throws to refuse the attempt (e.g. a failure budget ran out). */
  before(email: string): Promise<void>;
  /** Runs once the password is proven. */
  proven(email: string): Promise<void>;
}

/**
 * Email + password → the live user, or 401 INVALID_CREDENTIALS. Unknown email, wrong password
 * and soft-deleted user are indistinguishable: same error, the same argon2 work (a dummy hash
 * when there is no user) and the same audit write. The status is not looked at here: callers
 * decide what it means once the password is proven.
 */
export async function checkCredentials(
  deps: CheckCredentialsDeps,
  input: { readonly email: string; readonly password: string },
  ctx: RequestContext,
  failureAction: AuditAction,
  guard?: CredentialsGuard,
): Promise<User> {
  // Depends only on the input, so rejecting early reveals nothing about accounts.
  if (input.password.length > deps.passwordPolicy.maxLength) {
    throw validationError([
      { field: "password", message: `must be at most ${deps.passwordPolicy.maxLength} characters` },
    ]);
  }
  const email = normalizeEmail(input.email);
  await guard?.before(email);
  const user = await deps.users.findByEmail(email);
  const passwordMatches = await deps.hasher.verify(input.password, user?.passwordHash);
  if (passwordMatches) await guard?.proven(email);
  if (user === undefined || !passwordMatches) {
    const reason = user === undefined ? "unknown_account" : "wrong_password";
    await recordRefusal(deps, ctx, { action: failureAction, userId: user?.id ?? null, details: { reason } });
    throw invalidCredentials();
  }
  return user;
}
