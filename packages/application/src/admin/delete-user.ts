import { DomainError, type RequestContext, type User, UserChanges } from "@gatehouse/domain";
import type { AdminActor } from "./user-administration.js";
import { type AdminChangeDeps, runAdminChange } from "./user-change.js";

export type DeleteUserDeps = AdminChangeDeps;

/**
 * Soft delete: stamps `deleted_at`/`deleted_by`, which frees the username and email, and ends
 * every session at once, so the user's access tokens fail on the next request.
 * Not yourself (CANNOT_DELETE_SELF), not a super_admin unless you are one, not twice.
 */
export function makeDeleteUser(deps: DeleteUserDeps) {
  return (actor: AdminActor, userId: string, ctx: RequestContext): Promise<User> =>
    runAdminChange(
      deps,
      {
        action: "user.delete",
        precheck() {
          if (actor.id === userId) throw new DomainError("CANNOT_DELETE_SELF", "You cannot delete your own account");
        },
        changes: (_target, now) => UserChanges.softDelete(actor.id, now),
        endsSessions: () => true,
        details: (_before, after, sessionsRevoked) => ({
          changes: { deleted_at: { old: null, new: after.deletedAt?.toISOString() ?? null } },
          sessions_revoked: sessionsRevoked,
        }),
      },
      actor,
      userId,
      ctx,
    );
}

export type DeleteUser = ReturnType<typeof makeDeleteUser>;
