import { DomainError, type RequestContext } from "@gatehouse/domain";
import { afterUserChange } from "../shared/after-user-change.js";
import { audit } from "../shared/audit-entry-for.js";
import { auditingRefusals } from "../shared/refusals.js";
import { type AdminActor, assertMayManage, assertNotDeleted, lockTarget } from "./user-administration.js";
import type { AdminChangeDeps } from "./user-change.js";

/** What an administrator's reset of a user's second factors did. */
export interface MfaReset {
  readonly factorsRemoved: number;
  readonly sessionsRevoked: number;
}

/**
 * An administrator removes every second factor of a user (a lost phone, lost recovery codes):
 * TOTP, recovery codes and passkeys go, every session ends (refresh tokens now, access tokens
 * on their next request, as `revokeUserSessions` does), the user is mailed and the reset is
 * audited, all in one unit of work on the locked row, under the guard of every admin change.
 * Not on oneself: the owner removes their own factors from an aal2 session (`removeFactor`),
 * and an admin role must not be a way around that.
 */
export function makeResetUserMfa(deps: AdminChangeDeps) {
  return (actor: AdminActor, userId: string, ctx: RequestContext): Promise<MfaReset> =>
    auditingRefusals(deps, ctx, { action: "mfa.reset_by_admin", userId: actor.id, resourceId: userId }, async () => {
      if (actor.id === userId) throw new DomainError("CANNOT_RESET_OWN_MFA");
      const now = deps.clock.now();
      const { removed, ended } = await deps.uow.run(async (tx) => {
        const target = await lockTarget(tx, userId);
        assertNotDeleted(target);
        assertMayManage(actor, target);
        const removed = await tx.mfa.removeAllFactors(userId);
        const ended = await tx.refreshTokens.revokeAllForUser(userId, "admin", now);
        // Only a reset that removed something is news to the owner; a repeat just ends sessions again.
        if (removed.length > 0) {
          const { email, username } = target.user;
          await tx.outbox.enqueue({ to: email, template: "mfa-reset-by-admin", data: { username } });
        }
        await audit(tx, deps, ctx, {
          action: "mfa.reset_by_admin",
          userId: actor.id,
          resourceId: userId,
          details: {
            factors_removed: removed.length,
            factor_types: [...new Set(removed.map((factor) => factor.type))].sort(),
            sessions_revoked: ended.length,
          },
        });
        return { removed, ended };
      });
      await afterUserChange(deps, userId, ended);
      return { factorsRemoved: removed.length, sessionsRevoked: ended.length };
    });
}

export type ResetUserMfa = ReturnType<typeof makeResetUserMfa>;
