import type { RequestContext } from "@gatehouse/domain";
import { afterUserChange } from "../shared/after-user-change.js";
import { audit } from "../shared/audit-entry-for.js";
import { auditingRefusals } from "../shared/refusals.js";
import { type AdminActor, assertMayManage, assertNotDeleted, lockTarget } from "./user-administration.js";
import type { AdminChangeDeps } from "./user-change.js";

/**
 * Ends every session of a user (`gatehouse sessions revoke --user`: a stolen laptop, a leaked
 * token) without changing the account: the refresh tokens are revoked in one transaction with the
 * audit entry, then the sessions' access tokens are revoked too, so they fail on the next request.
 * The user's row is locked, so a concurrent role change or delete sees the revocation or precedes it.
 */
export function makeRevokeUserSessions(deps: AdminChangeDeps) {
  return (actor: AdminActor, userId: string, ctx: RequestContext): Promise<{ sessionsRevoked: number }> =>
    auditingRefusals(deps, ctx, { action: "user.sessions_revoke", userId: actor.id, resourceId: userId }, async () => {
      const now = deps.clock.now();
      const ended = await deps.uow.run(async (tx) => {
        const target = await lockTarget(tx, userId);
        assertNotDeleted(target);
        assertMayManage(actor, target);
        const families = await tx.refreshTokens.revokeAllForUser(userId, "admin", now);
        await audit(tx, deps, ctx, {
          action: "user.sessions_revoke",
          userId: actor.id,
          resourceId: userId,
          details: { sessions_revoked: families.length },
        });
        return families;
      });
      await afterUserChange(deps, userId, ended);
      return { sessionsRevoked: ended.length };
    });
}

export type RevokeUserSessions = ReturnType<typeof makeRevokeUserSessions>;
