import { type Clock, DomainError, type RequestContext, type UnitOfWork, type User } from "@gatehouse/domain";
import { auditEntryFor } from "../shared/audit-entry-for.js";
import {
  type AdminActor,
  type AfterChangeDeps,
  applyAfterCommit,
  assertMayManage,
  auditingRefusals,
  lockTarget,
} from "./user-administration.js";

export interface RestoreUserDeps extends AfterChangeDeps {
  readonly uow: UnitOfWork;
  readonly clock: Clock;
}

/**
 * Undoes a soft delete. The username and email must still be free: when another user took
 * either meanwhile, the unique indexes refuse the restore (409 DUPLICATE_USERNAME / _EMAIL).
 * The account keeps its status; its old sessions stay ended.
 */
export function makeRestoreUser(deps: RestoreUserDeps) {
  async function restoreUser(
    actor: AdminActor,
    userId: string,
    ctx: RequestContext,
  ): Promise<{ user: User; restoredAt: Date }> {
    const restoredAt = deps.clock.now();
    const user = await deps.uow.run(async (tx) => {
      const target = await lockTarget(tx, userId);
      if (target.user.deletedAt === null) throw new DomainError("USER_NOT_DELETED", "User is not deleted");
      assertMayManage(actor, target);
      const user = await tx.users.update(userId, { deletedAt: null, deletedBy: null });
      await tx.auditLog.append(
        auditEntryFor(deps.clock, ctx, {
          action: "user.restore",
          userId: actor.id,
          resourceId: userId,
          details: { changes: { deleted_at: { old: target.user.deletedAt.toISOString(), new: null } } },
        }),
      );
      return user;
    });
    await applyAfterCommit(deps, userId, []);
    return { user, restoredAt };
  }
  return (actor: AdminActor, userId: string, ctx: RequestContext) =>
    auditingRefusals(deps, ctx, { action: "user.restore", actor, userId }, () => restoreUser(actor, userId, ctx));
}

export type RestoreUser = ReturnType<typeof makeRestoreUser>;
