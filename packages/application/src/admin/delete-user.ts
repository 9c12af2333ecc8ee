import { type Clock, DomainError, type RequestContext, type UnitOfWork, type User } from "@gatehouse/domain";
import { auditEntryFor } from "../shared/audit-entry-for.js";
import {
  type AdminActor,
  type AfterChangeDeps,
  applyAfterCommit,
  assertMayManage,
  assertNotDeleted,
  auditingRefusals,
  lockTarget,
} from "./user-administration.js";

export interface DeleteUserDeps extends AfterChangeDeps {
  readonly uow: UnitOfWork;
  readonly clock: Clock;
}

/**
 * Soft delete (PRD §4.6): stamps `deleted_at`/`deleted_by`, which frees the username and
 * email, and ends every session at once, so the user's access tokens fail on the next request.
 * Not yourself (CANNOT_DELETE_SELF), not a super_admin unless you are one, not twice.
 */
export function makeDeleteUser(deps: DeleteUserDeps) {
  async function deleteUser(actor: AdminActor, userId: string, ctx: RequestContext): Promise<User> {
    if (actor.id === userId) throw new DomainError("CANNOT_DELETE_SELF", "You cannot delete your own account");
    const now = deps.clock.now();
    const { user, endedSessions } = await deps.uow.run(async (tx) => {
      const target = await lockTarget(tx, userId);
      assertNotDeleted(target);
      assertMayManage(actor, target);
      const user = await tx.users.update(userId, { deletedAt: now, deletedBy: actor.id });
      const endedSessions = await tx.refreshTokens.revokeAllForUser(userId, "admin", now);
      await tx.auditLog.append(
        auditEntryFor(deps.clock, ctx, {
          action: "user.delete",
          userId: actor.id,
          resourceId: userId,
          details: {
            changes: { deleted_at: { old: null, new: now.toISOString() } },
            sessions_revoked: endedSessions.length,
          },
        }),
      );
      return { user, endedSessions };
    });
    await applyAfterCommit(deps, userId, endedSessions);
    return user;
  }
  return (actor: AdminActor, userId: string, ctx: RequestContext) =>
    auditingRefusals(deps, ctx, { action: "user.delete", actor, userId }, () => deleteUser(actor, userId, ctx));
}

export type DeleteUser = ReturnType<typeof makeDeleteUser>;
