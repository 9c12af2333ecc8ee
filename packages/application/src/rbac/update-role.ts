import { type Clock, type RequestContext, type RoleDetails, type UnitOfWork, validationError } from "@gatehouse/domain";
import { audit } from "../shared/audit-entry-for.js";
import type { AccessInvalidation } from "./access-invalidation.js";
import { type RoleFields, roleFieldIssues } from "./create-role.js";
import { type AdminActor, assertModifiable } from "./privilege.js";

export interface UpdateRoleDeps {
  readonly uow: UnitOfWork;
  readonly clock: Clock;
  readonly invalidate: Pick<AccessInvalidation, "holdersOf">;
}

/**
 * Renames or re-describes a non-system role (system roles: CANNOT_MODIFY_SYSTEM_ROLE). Fields
 * left out stay as they are. Audited as `role.update` with `{ field: { old, new } }` for each
 * field that changed; holders' cached access is dropped since it carries role names.
 */
export function makeUpdateRole(deps: UpdateRoleDeps) {
  return async function updateRole(
    actor: AdminActor,
    roleId: string,
    fields: Partial<RoleFields>,
    ctx: RequestContext,
  ): Promise<RoleDetails> {
    const issues = roleFieldIssues(fields);
    if (issues.length > 0) throw validationError(issues);
    const { role, renamed } = await deps.uow.run(async (tx) => {
      const current = assertModifiable(await tx.roles.lock(roleId));
      const next = {
        name: fields.name ?? current.name,
        description: fields.description === undefined ? current.description : fields.description,
      };
      const changes: Record<string, { old: unknown; new: unknown }> = {};
      if (next.name !== current.name) changes.name = { old: current.name, new: next.name };
      if (next.description !== current.description) {
        changes.description = { old: current.description, new: next.description };
      }
      const userCount = await tx.roles.countHolders(roleId);
      if (Object.keys(changes).length === 0) return { role: { ...current, userCount }, renamed: false };
      const updated = await tx.roles.update(roleId, next);
      await audit(tx, deps, ctx, {
        action: "role.update",
        userId: actor.id,
        resourceType: "role",
        resourceId: roleId,
        details: { changes },
      });
      return { role: { ...updated, permissions: current.permissions, userCount }, renamed: "name" in changes };
    });
    if (renamed) await deps.invalidate.holdersOf(roleId);
    return role;
  };
}

export type UpdateRole = ReturnType<typeof makeUpdateRole>;
