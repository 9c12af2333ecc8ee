import { DomainError, type RequestContext, SystemRoles } from "@gatehouse/domain";
import { audit } from "../shared/audit-entry-for.js";
import { auditingRefusals } from "../shared/refusals.js";
import { type UserRoles, type UserRolesDeps, userRoleDetails, userRolesOf } from "./assign-user-roles.js";
import { type AdminActor, assertMayActOn, assertMayGrant, grantOfRoles } from "./privilege.js";

/**
 * Takes a role from a user. Only a super_admin removes super_admin, and never from the last
 * live holder (LAST_SUPER_ADMIN): the role row stays locked from the count to the delete, so
 * two admins demoting each other at once cannot both succeed. Nobody strips roles from a user
 * holding a permission they lack (PRIVILEGE_ESCALATION), the guard of every other change to a
 * user: else a role manager could demote, and so lock out, an administrator. Audited as
 * `role.unassign`.
 */
export function makeUnassignUserRole(deps: UserRolesDeps) {
  return async function unassignUserRole(
    actor: AdminActor,
    userId: string,
    roleId: string,
    ctx: RequestContext,
  ): Promise<UserRoles> {
    const attempt = {
      action: "role.unassign",
      userId: actor.id,
      resourceType: "user_role",
      resourceId: userId,
    } as const;
    const result = await auditingRefusals(deps, ctx, attempt, () =>
      deps.uow.run(async (tx) => {
        const before = await userRolesOf(tx, userId);
        assertMayActOn(actor, before);
        const role = await tx.roles.lock(roleId);
        if (role === undefined) throw new DomainError("ROLE_NOT_FOUND", "Role not found");
        if (role.name === SystemRoles.superAdmin) {
          assertMayGrant(actor, grantOfRoles([role]));
          const holds = before.roles.some((held) => held.id === roleId);
          if (holds && (await tx.roles.countHolders(roleId)) <= 1) {
            throw new DomainError("LAST_SUPER_ADMIN", "The last super_admin cannot lose the super_admin role");
          }
        }
        if (!(await tx.roles.unassign(userId, roleId))) {
          throw new DomainError("ROLE_NOT_FOUND", "The user does not hold this role");
        }
        await audit(tx, deps, ctx, {
          action: "role.unassign",
          userId: actor.id,
          resourceType: "user_role",
          resourceId: userId,
          details: userRoleDetails(role),
        });
        return { userId, roles: before.roles.filter((held) => held.id !== roleId) };
      }),
    );
    await deps.invalidate.users([userId]);
    return result;
  };
}

export type UnassignUserRole = ReturnType<typeof makeUnassignUserRole>;
