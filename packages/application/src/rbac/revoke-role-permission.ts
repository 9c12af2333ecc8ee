import { DomainError, type RequestContext, type RoleDetails } from "@gatehouse/domain";
import { audit } from "../shared/audit-entry-for.js";
import { type RolePermissionsDeps, rolePermissionDetails } from "./grant-role-permissions.js";
import { type AdminActor, assertModifiable } from "./privilege.js";

/**
 * Removes one permission from a non-system role; PERMISSION_NOT_FOUND when the role does not
 * hold it. Audited as `permission.unassign`; holders lose it on their next request.
 */
export function makeRevokeRolePermission(deps: RolePermissionsDeps) {
  return async function revokeRolePermission(
    actor: AdminActor,
    roleId: string,
    permissionId: string,
    ctx: RequestContext,
  ): Promise<RoleDetails> {
    const role = await deps.uow.run(async (tx) => {
      const current = assertModifiable(await tx.roles.lock(roleId));
      const permission = current.permissions.find((held) => held.id === permissionId);
      if (permission === undefined || !(await tx.roles.revokePermission(roleId, permissionId))) {
        throw new DomainError("PERMISSION_NOT_FOUND", "The role does not hold this permission");
      }
      await audit(tx, deps, ctx, {
        action: "permission.unassign",
        userId: actor.id,
        resourceType: "role_permission",
        resourceId: roleId,
        details: rolePermissionDetails(current, permission),
      });
      return {
        ...current,
        permissions: current.permissions.filter((held) => held.id !== permissionId),
        userCount: await tx.roles.countHolders(roleId),
      };
    });
    await deps.invalidate.holdersOf(roleId);
    return role;
  };
}

export type RevokeRolePermission = ReturnType<typeof makeRevokeRolePermission>;
