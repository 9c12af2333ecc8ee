import { DomainError, type RequestContext, type User, UserChanges } from "@gatehouse/domain";
import type { AdminActor } from "./user-administration.js";
import { type AdminChangeDeps, runAdminChange } from "./user-change.js";

export type RestoreUserDeps = AdminChangeDeps;

/**
 * Undoes a soft delete. The username and email must still be free: when another user took
 * either meanwhile, the unique indexes refuse the restore (409 DUPLICATE_USERNAME / _EMAIL).
 * A purged account (anonymised by the worker, without a password) stays gone: 422
 * INVALID_STATUS_TRANSITION. The account keeps its status; its old sessions stay ended.
 */
export function makeRestoreUser(deps: RestoreUserDeps) {
  return async (actor: AdminActor, userId: string, ctx: RequestContext): Promise<{ user: User; restoredAt: Date }> => {
    const user = await runAdminChange(
      deps,
      {
        action: "user.restore",
        targets: "deleted",
        guard(target) {
          if (target.purgedAt !== null) {
            throw new DomainError("INVALID_STATUS_TRANSITION", "A purged user cannot be restored");
          }
        },
        changes: () => UserChanges.restore(),
        endsSessions: () => false,
        details: (before) => ({ changes: { deleted_at: { old: before.deletedAt?.toISOString() ?? null, new: null } } }),
      },
      actor,
      userId,
      ctx,
    );
    return { user, restoredAt: user.updatedAt };
  };
}

export type RestoreUser = ReturnType<typeof makeRestoreUser>;
