import { type Clock, DomainError, type RequestContext, type UnitOfWork } from "@gatehouse/domain";
import { audit } from "../shared/audit-entry-for.js";
import type { AccessInvalidation } from "./access-invalidation.js";
import type { AdminActor } from "./privilege.js";

export interface DeleteRoleDeps {
  readonly uow: UnitOfWork;
  readonly clock: Clock;
  readonly invalidate: Pick<AccessInvalidation, "users">;
}

/** Holder ids are read in pages of this size inside the deleting transaction. */
const HOLDER_PAGE = 1000;

/**
 * Deletes a non-system role (system roles: CANNOT_DELETE_SYSTEM_ROLE). A role live users
 * still hold is refused with ROLE_IN_USE unless `force`, which unassigns it from everyone in
 * the same transaction. The role row stays locked from the check to the delete, so no
 * assignment can slip in between. Audited as `role.delete`.
 */
export function makeDeleteRole(deps: DeleteRoleDeps) {
  return async function deleteRole(
    actor: AdminActor,
    roleId: string,
    options: { readonly force: boolean },
    ctx: RequestContext,
  ): Promise<void> {
    const holders = await deps.uow.run(async (tx) => {
      const role = await tx.roles.lock(roleId);
      if (role === undefined) throw new DomainError("ROLE_NOT_FOUND", "Role not found");
      if (role.isSystem) throw new DomainError("CANNOT_DELETE_SYSTEM_ROLE", "System roles cannot be deleted");
      const userCount = await tx.roles.countHolders(roleId);
      if (userCount > 0 && !options.force) {
        throw new DomainError("ROLE_IN_USE", "Role is still assigned to users; pass force=true to unassign it", {
          user_count: userCount,
        });
      }
      // The assignments vanish with the role, so whom to invalidate is read before the delete.
      const ids: string[] = [];
      for (let page = await tx.roles.holders(roleId, null, HOLDER_PAGE); page.length > 0; ) {
        ids.push(...page);
        const last = page[page.length - 1] ?? null;
        page = page.length < HOLDER_PAGE ? [] : await tx.roles.holders(roleId, last, HOLDER_PAGE);
      }
      await tx.roles.delete(roleId);
      await audit(tx, deps, ctx, {
        action: "role.delete",
        userId: actor.id,
        resourceType: "role",
        resourceId: roleId,
        details: { name: role.name, forced: options.force, unassigned_users: userCount },
      });
      return ids;
    });
    await deps.invalidate.users(holders);
  };
}

export type DeleteRole = ReturnType<typeof makeDeleteRole>;
