import { DomainError, type RequestContext } from "@gatehouse/domain";
import { isSuperAdmin } from "../rbac/privilege.js";
import { afterUserChange } from "../shared/after-user-change.js";
import { audit } from "../shared/audit-entry-for.js";
import { auditingRefusals } from "../shared/refusals.js";
import { type AdminActor, lockTarget } from "./user-administration.js";
import type { AdminChangeDeps } from "./user-change.js";

export type DeleteUserPermanentlyDeps = AdminChangeDeps;

/**
 * Hard delete: super_admin only, and only when `confirm` repeats the user's
 * username, so an id pasted into the wrong request cannot erase an account. The row goes with
 * its roles and refresh tokens; audit entries keep the id (audit_logs has no foreign key).
 */
export function makeDeleteUserPermanently(deps: DeleteUserPermanentlyDeps) {
  async function deleteUserPermanently(
    actor: AdminActor,
    userId: string,
    confirm: string,
    ctx: RequestContext,
  ): Promise<void> {
    if (!isSuperAdmin(actor.access)) {
      throw new DomainError("SUPER_ADMIN_REQUIRED", "Only a super_admin may delete a user permanently");
    }
    if (actor.id === userId) throw new DomainError("CANNOT_DELETE_SELF", "You cannot delete your own account");
    const now = deps.clock.now();
    const endedSessions = await deps.uow.run(async (tx) => {
      const target = await lockTarget(tx, userId);
      if (confirm !== target.user.username) {
        throw new DomainError("CONFIRMATION_MISMATCH", "confirm must repeat the user's username exactly");
      }
      const endedSessions = await tx.refreshTokens.revokeAllForUser(userId, "admin", now);
      await tx.users.deletePermanently(userId);
      await audit(tx, deps, ctx, {
        action: "user.permanent_delete",
        userId: actor.id,
        resourceId: userId,
        details: { username: target.user.username, was_soft_deleted: target.user.deletedAt !== null },
      });
      return endedSessions;
    });
    await afterUserChange(deps, userId, endedSessions);
  }
  return (actor: AdminActor, userId: string, confirm: string, ctx: RequestContext) =>
    auditingRefusals(deps, ctx, { action: "user.permanent_delete", userId: actor.id, resourceId: userId }, () =>
      deleteUserPermanently(actor, userId, confirm, ctx),
    );
}

export type DeleteUserPermanently = ReturnType<typeof makeDeleteUserPermanently>;
