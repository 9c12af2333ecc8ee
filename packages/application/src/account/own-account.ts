import {
  type AuditAction,
  type Clock,
  DomainError,
  type RequestContext,
  sessionBlockedError,
  type TransactionalRepositories,
  type UnitOfWork,
  type User,
  type UserRepository,
} from "@gatehouse/domain";
import { type PasswordProofDeps, provePassword } from "../auth/check-credentials.js";
import { type AfterUserChangeDeps, afterUserChange } from "../shared/after-user-change.js";
import { audit } from "../shared/audit-entry-for.js";

export interface ConfirmPasswordDeps extends PasswordProofDeps {
  readonly users: Pick<UserRepository, "find">;
}

export const accountGone = () => new DomainError("UNAUTHORIZED", "Account no longer exists");

/**
 * Re-authenticates the signed-in user before a sensitive change: the account must still exist
 * and may hold a session, and `password` must be its password (401 INVALID_CREDENTIALS
 * otherwise). Argon2 runs outside any transaction, so no row stays locked while it works.
 */
export async function confirmPassword(
  deps: ConfirmPasswordDeps,
  userId: string,
  password: string,
  ctx: RequestContext,
): Promise<User> {
  const account = await deps.users.find(userId);
  if (account === undefined) throw accountGone();
  const blocked = sessionBlockedError(account.user.status);
  if (blocked) throw blocked;
  await proveOwnPassword(deps, account.user, password, ctx, "Password is incorrect");
  return account.user;
}

/**
 * The password prompt inside a session: `password` must be `user`'s, proven under the budgets
 * login spends (the device's, or the account's untrusted one), so a stolen access token cannot
 * guess the password faster than the login form can.
 */
export async function proveOwnPassword(
  deps: PasswordProofDeps,
  user: User,
  password: string,
  ctx: RequestContext,
  refusal: string,
): Promise<void> {
  const proof = { email: user.email, userId: user.id, password, stored: user.passwordHash, ctx };
  if (!(await provePassword(deps, proof))) {
    throw new DomainError("INVALID_CREDENTIALS", refusal);
  }
}

/**
 * The row as locked inside the unit of work, provided nothing changed the password since it
 * was confirmed: a concurrent change makes the confirmed password stale, so the caller loses.
 */
export function stillConfirmed(locked: User | undefined, confirmed: User): User {
  if (locked === undefined) throw accountGone();
  if (locked.passwordHash !== confirmed.passwordHash) {
    throw new DomainError("INVALID_CREDENTIALS", "Password is incorrect");
  }
  return locked;
}

export interface CloseOwnAccountDeps extends ConfirmPasswordDeps, AfterUserChangeDeps {
  readonly uow: UnitOfWork;
  readonly clock: Clock;
}

/**
 * The shape of deactivating and deleting one's own account: prove the password, then in one
 * transaction apply the change to the locked row, end every session and audit it (`apply`
 * returns the audit details); after the commit, refuse the sessions' access tokens.
 */
export async function closeOwnAccount(
  deps: CloseOwnAccountDeps,
  input: { userId: string; password: string },
  ctx: RequestContext,
  change: {
    action: AuditAction;
    apply(tx: TransactionalRepositories, locked: User, now: Date): Promise<Record<string, unknown>>;
  },
): Promise<{ sessionsEnded: number }> {
  const user = await confirmPassword(deps, input.userId, input.password, ctx);
  const now = deps.clock.now();
  const ended = await deps.uow.run(async (tx) => {
    const locked = stillConfirmed((await tx.users.find(user.id, { lock: true }))?.user, user);
    const details = await change.apply(tx, locked, now);
    const families = await tx.refreshTokens.revokeAllForUser(locked.id, "account_inactive", now);
    await tx.deviceTokens.revokeAllForUser(locked.id, now);
    await audit(tx, deps, ctx, {
      action: change.action,
      userId: locked.id,
      details: { by: "self", ...details, sessions_ended: families.length },
    });
    return families;
  });
  await afterUserChange(deps, user.id, ended);
  return { sessionsEnded: ended.length };
}
