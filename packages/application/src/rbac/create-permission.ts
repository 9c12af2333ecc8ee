import {
  type Clock,
  checkDescription,
  checkPermissionName,
  type FieldIssue,
  type Permission,
  type RequestContext,
  type UnitOfWork,
  validationError,
} from "@gatehouse/domain";
import { audit } from "../shared/audit-entry-for.js";
import type { AdminActor } from "./privilege.js";

export interface CreatePermissionDeps {
  readonly uow: UnitOfWork;
  readonly clock: Clock;
}

/**
 * A new `resource:action` permission (DUPLICATE_PERMISSION when taken), held by no role yet:
 * no cached access changes, since super_admin passes every check without holding it.
 */
export function makeCreatePermission(deps: CreatePermissionDeps) {
  return async function createPermission(
    actor: AdminActor,
    fields: { readonly name: string; readonly description?: string | null },
    ctx: RequestContext,
  ): Promise<Permission> {
    const issues = [checkPermissionName(fields.name), checkDescription(fields.description)].filter(
      (issue): issue is FieldIssue => issue !== undefined,
    );
    if (issues.length > 0) throw validationError(issues);
    return deps.uow.run(async (tx) => {
      const permission = await tx.roles.createPermission({
        name: fields.name,
        description: fields.description ?? null,
      });
      await audit(tx, deps, ctx, {
        action: "permission.create",
        userId: actor.id,
        resourceType: "permission",
        resourceId: permission.id,
        details: { name: permission.name, description: permission.description },
      });
      return permission;
    });
  };
}

export type CreatePermission = ReturnType<typeof makeCreatePermission>;
