import {
  type AuditAction,
  type Clock,
  DomainError,
  normalizeEmail,
  type PasswordHasher,
  type PasswordPolicy,
  type RequestContext,
  type TransactionalRepositories,
  type UnitOfWork,
  type User,
  type UserRepository,
  validationError,
} from "@gatehouse/domain";
import { recordRefusal } from "../shared/refusals.js";
import { type CredentialFailures, takeCredentialAttempt } from "./credential-attempts.js";

export type { CredentialFailures } from "./credential-attempts.js";

export interface PasswordProofDeps {
  readonly hasher: Pick<PasswordHasher, "verify">;
  readonly credentialFailures: CredentialFailures;
  /**
   * Where the password is checked instead of the local hash (IDENTITY_BACKEND=keycloak with the
   * password grant: `keycloak/keycloak-password-check.ts`); undefined: the local hash.
   */
  readonly passwordCheck?: PasswordCheck;
}

/** Proves a password some other way than `hasher.verify`, under the same failure budgets. */
export type PasswordCheck = (proof: PasswordProof) => Promise<boolean>;

/** One password to prove: for which account (as typed, and the user if there is one), from where. */
export interface PasswordProof {
  readonly email: string;
  readonly userId: string | undefined;
  readonly password: string;
  readonly stored: string | undefined;
  readonly ctx: RequestContext;
  /** Set by a sign-in: the user the typed email resolved to (undefined: none). */
  readonly signIn?: { readonly user: User | undefined };
}

/**
 * Verifies `proof.password` against `proof.stored` under the failure budgets of
 * {@link takeCredentialAttempt}: the slots are taken (atomically, by the limiter) before argon2
 * runs and given back once the password is proven, so once a budget is spent no path evaluates
 * a password for that account from that kind of client and every path answers the same 429:
 * none can serve as an oracle the others are not. `onExhausted` runs before that 429 (the
 * refusal audit of the caller).
 */
export async function provePassword(
  deps: PasswordProofDeps,
  proof: PasswordProof,
  onExhausted?: () => Promise<void>,
): Promise<boolean> {
  const attempt = await takeCredentialAttempt(deps.credentialFailures, proof, onExhausted);
  let matches: boolean;
  try {
    matches =
      deps.passwordCheck === undefined
        ? await deps.hasher.verify(proof.password, proof.stored)
        : await deps.passwordCheck(proof);
  } catch (error) {
    // Not evaluated (the hash queue was full, the pool failed): the attempt told the caller
    // nothing about the password, so it must not spend the owner's budget.
    await attempt.giveBack();
    throw error;
  }
  if (matches) await attempt.giveBack();
  return matches;
}

export interface CheckCredentialsDeps extends PasswordProofDeps {
  readonly users: Pick<UserRepository, "findByEmail">;
  /** Only the audit log, for the refusal entries. */
  readonly uow: UnitOfWork<Pick<TransactionalRepositories, "auditLog">>;
  readonly clock: Clock;
  readonly passwordPolicy: PasswordPolicy;
}

export const invalidCredentials = () => new DomainError("INVALID_CREDENTIALS", "Invalid email or password");

/**
 * Email + password → the live user, or 401 INVALID_CREDENTIALS. Unknown email, wrong password
 * and soft-deleted user are indistinguishable: same error, the same argon2 work (a dummy hash
 * when there is no user) and the same audit write. The status is not looked at here: callers
 * decide what it means once the password is proven. Every attempt spends a failure budget
 * first ({@link provePassword}); an exhausted budget is 429 for known and unknown emails alike.
 */
export async function checkCredentials(
  deps: CheckCredentialsDeps,
  input: { readonly email: string; readonly password: string },
  ctx: RequestContext,
  failureAction: AuditAction,
): Promise<User> {
  // Depends only on the input, so rejecting early reveals nothing about accounts.
  if (input.password.length > deps.passwordPolicy.maxLength) {
    throw validationError([
      { field: "password", message: `must be at most ${deps.passwordPolicy.maxLength} characters` },
    ]);
  }
  const email = normalizeEmail(input.email);
  const user = await deps.users.findByEmail(email);
  const proof = {
    email,
    userId: user?.id,
    password: input.password,
    stored: user?.passwordHash,
    ctx,
    signIn: { user },
  };
  const passwordMatches = await provePassword(deps, proof, () =>
    recordRefusal(deps, ctx, { action: failureAction, userId: null, details: { reason: "too_many_failures" } }),
  );
  if (user === undefined || !passwordMatches) {
    const reason = user === undefined ? "unknown_account" : "wrong_password";
    await recordRefusal(deps, ctx, { action: failureAction, userId: user?.id ?? null, details: { reason } });
    throw invalidCredentials();
  }
  return user;
}
