import {
  type Clock,
  DomainError,
  type RequestContext,
  type RoleGrant,
  type TransactionalRepositories,
  type UnitOfWork,
} from "@gatehouse/domain";
import { audit } from "../shared/audit-entry-for.js";
import { auditingRefusals } from "../shared/refusals.js";
import type { AccessInvalidation } from "./access-invalidation.js";
import { type AdminActor, assertMayGrant, grantOfRoles } from "./privilege.js";

export interface UserRolesDeps {
  readonly uow: UnitOfWork;
  readonly clock: Clock;
  readonly invalidate: Pick<AccessInvalidation, "users">;
}

/** A user's roles after a change. */
export interface UserRoles {
  readonly userId: string;
  readonly roles: readonly RoleGrant[];
}

export type RoleSelector = { readonly ids: readonly string[] } | { readonly names: readonly string[] };

/** The live user's roles now; USER_NOT_FOUND when there is no such live user. */
export async function userRolesOf(tx: TransactionalRepositories, userId: string): Promise<UserRoles> {
  const account = await tx.users.find(userId);
  if (account === undefined) throw new DomainError("USER_NOT_FOUND", "User not found");
  return { userId, roles: account.roles };
}

/**
 * Gives a user roles, by id or by name. Unknown roles: ROLE_NOT_FOUND. Only a super_admin
 * hands out super_admin, and nobody hands out a role holding a permission they lack
 * (PRIVILEGE_ESCALATION). The roles are share-locked while assigned, so none can be deleted
 * or given new permissions mid-way. Each new assignment is audited as `role.assign`.
 */
export function makeAssignUserRoles(deps: UserRolesDeps) {
  return async function assignUserRoles(
    actor: AdminActor,
    userId: string,
    selector: RoleSelector,
    ctx: RequestContext,
  ): Promise<UserRoles> {
    const attempt = { action: "role.assign", userId: actor.id, resourceType: "user_role", resourceId: userId } as const;
    const result = await auditingRefusals(deps, ctx, attempt, () =>
      deps.uow.run(async (tx) => {
        await userRolesOf(tx, userId);
        const wanted = [...new Set("ids" in selector ? selector.ids : selector.names)];
        const roles = await tx.roles.findForAssignment("ids" in selector ? { ids: wanted } : { names: wanted });
        const missing = wanted.filter((key) => !roles.some((role) => role.id === key || role.name === key));
        if (missing.length > 0) throw new DomainError("ROLE_NOT_FOUND", "Unknown role", { roles: missing });
        assertMayGrant(actor, grantOfRoles(roles));
        const assigned = await tx.roles.assign(
          userId,
          roles.map((role) => role.id),
          actor.id,
        );
        for (const role of roles.filter((candidate) => assigned.includes(candidate.id))) {
          await audit(tx, deps, ctx, {
            action: "role.assign",
            userId: actor.id,
            resourceType: "user_role",
            resourceId: userId,
            details: userRoleDetails(role),
          });
        }
        return userRolesOf(tx, userId);
      }),
    );
    await deps.invalidate.users([userId]);
    return result;
  };
}

export type AssignUserRoles = ReturnType<typeof makeAssignUserRoles>;

/** The audit details of a `role.assign` / `role.unassign` row. */
export function userRoleDetails(role: { readonly id: string; readonly name: string }) {
  return { role_id: role.id, role: role.name };
}
