import { type Clock, DomainError, type RequestContext, type RoleDetails, type UnitOfWork } from "@gatehouse/domain";
import { audit } from "../shared/audit-entry-for.js";
import { auditingRefusals } from "../shared/refusals.js";
import type { AccessInvalidation } from "./access-invalidation.js";
import { type AdminActor, assertMayGrant, assertModifiable } from "./privilege.js";

export interface RolePermissionsDeps {
  readonly uow: UnitOfWork;
  readonly clock: Clock;
  readonly invalidate: Pick<AccessInvalidation, "holdersOf">;
}

/**
 * Adds permissions to a non-system role. Every id must exist (PERMISSION_NOT_FOUND) and the
 * actor must hold every permission it hands out (PRIVILEGE_ESCALATION). Already granted ones
 * are skipped; each new grant is audited as `permission.assign`, and the role's holders see
 * the change on their next request.
 */
export function makeGrantRolePermissions(deps: RolePermissionsDeps) {
  return async function grantRolePermissions(
    actor: AdminActor,
    roleId: string,
    permissionIds: readonly string[],
    ctx: RequestContext,
  ): Promise<RoleDetails> {
    const attempt = {
      action: "permission.assign",
      userId: actor.id,
      resourceType: "role_permission",
      resourceId: roleId,
    } as const;
    const { role, changed } = await auditingRefusals(deps, ctx, attempt, () =>
      deps.uow.run(async (tx) => {
        const current = assertModifiable(await tx.roles.lock(roleId));
        const wanted = [...new Set(permissionIds)];
        const found = await tx.roles.findPermissions(wanted);
        const missing = wanted.filter((id) => !found.some((permission) => permission.id === id));
        if (missing.length > 0) {
          throw new DomainError("PERMISSION_NOT_FOUND", "Unknown permission", { permission_ids: missing });
        }
        assertMayGrant(actor, { permissions: found.map((permission) => permission.name) });
        const granted = await tx.roles.grantPermissions(roleId, wanted);
        for (const permission of found.filter((candidate) => granted.includes(candidate.id))) {
          await audit(tx, deps, ctx, {
            action: "permission.assign",
            userId: actor.id,
            resourceType: "role_permission",
            resourceId: roleId,
            details: rolePermissionDetails(current, permission),
          });
        }
        const updated = await tx.roles.findById(roleId);
        return {
          role: { ...(updated ?? current), userCount: await tx.roles.countHolders(roleId) },
          changed: granted.length > 0,
        };
      }),
    );
    if (changed) await deps.invalidate.holdersOf(roleId);
    return role;
  };
}

export type GrantRolePermissions = ReturnType<typeof makeGrantRolePermissions>;

/** The audit details of a `permission.assign` / `permission.unassign` row. */
export function rolePermissionDetails(
  role: { readonly id: string; readonly name: string },
  permission: { readonly id: string; readonly name: string },
) {
  return { role_id: role.id, role: role.name, permission_id: permission.id, permission: permission.name };
}
