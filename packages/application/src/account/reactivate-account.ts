import {
  assertTransition,
  DomainError,
  type RequestContext,
  SELF_DEACTIVATION_REASON,
  sessionBlockedError,
  type TransactionalRepositories,
  type UnitOfWork,
  type User,
  UserChanges,
} from "@gatehouse/domain";
import { type CheckCredentialsDeps, checkCredentials, invalidCredentials } from "../auth/check-credentials.js";
import { type PasswordUpgradeDeps, preparePasswordUpgrade } from "../auth/password-upgrade.js";
import { type AfterUserChangeDeps, afterUserChange } from "../shared/after-user-change.js";
import { audit } from "../shared/audit-entry-for.js";

export interface ReactivateAccountDeps extends CheckCredentialsDeps, AfterUserChangeDeps {
  /** The user row it changes and the audit log; the refusals need only the latter. */
  readonly uow: UnitOfWork<Pick<TransactionalRepositories, "users" | "auditLog">>;
  readonly hasher: CheckCredentialsDeps["hasher"] & PasswordUpgradeDeps["hasher"];
}

/**
 * Why `user` cannot come back by itself, or undefined when it can (or already is active). A
 * suspension, or a deactivation an administrator made, is lifted only by an administrator.
 */
function refusal(user: User): DomainError | undefined {
  if (user.status === "active") return undefined;
  if (user.status === "deactivated" && user.statusReason === SELF_DEACTIVATION_REASON) return undefined;
  if (user.status === "deactivated") {
    return new DomainError("ACCOUNT_DEACTIVATED", "Account was deactivated by an administrator");
  }
  return sessionBlockedError(user.status);
}

/**
 * POST /auth/reactivate: brings back an account its owner deactivated. Like login, an
 * unknown email, a wrong password and a deleted account are one answer (401, same argon2
 * work); a status surfaces only after the password was proven. Reactivating an active
 * account changes nothing and succeeds. It does not sign in: the client logs in next.
 */
export function makeReactivateAccount(deps: ReactivateAccountDeps) {
  return async function reactivateAccount(
    input: { email: string; password: string },
    ctx: RequestContext,
  ): Promise<{ reactivated: boolean }> {
    const user = await checkCredentials(deps, input, ctx, "user.reactivate");
    const upgrade = await preparePasswordUpgrade(deps, ctx, user, input.password);
    const now = deps.clock.now();
    const result = await deps.uow.run(async (tx) => {
      const locked = (await tx.users.find(user.id, { lock: true }))?.user;
      if (locked === undefined || locked.passwordHash !== user.passwordHash) throw invalidCredentials();
      const refused = refusal(locked);
      if (refused) throw refused;
      await upgrade(tx);
      if (locked.status === "active") return { reactivated: false };
      assertTransition(locked.status, "active");
      await tx.users.update(locked.id, UserChanges.status("active", null, now), now);
      await audit(tx, deps, ctx, { action: "user.reactivate", userId: locked.id, details: { by: "self" } });
      return { reactivated: true };
    });
    if (result.reactivated) await afterUserChange(deps, user.id);
    return result;
  };
}

export type ReactivateAccount = ReturnType<typeof makeReactivateAccount>;
