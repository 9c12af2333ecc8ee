import {
  type Clock,
  checkDescription,
  checkRoleName,
  type FieldIssue,
  type RequestContext,
  type RoleDetails,
  type UnitOfWork,
  validationError,
} from "@gatehouse/domain";
import { audit } from "../shared/audit-entry-for.js";
import type { AdminActor } from "./privilege.js";

export interface RoleFields {
  readonly name: string;
  readonly description?: string | null;
}

export interface CreateRoleDeps {
  readonly uow: UnitOfWork;
  readonly clock: Clock;
}

export function roleFieldIssues(fields: Partial<RoleFields>): FieldIssue[] {
  return [
    fields.name === undefined ? undefined : checkRoleName(fields.name),
    checkDescription(fields.description),
  ].filter((issue): issue is FieldIssue => issue !== undefined);
}

/** A new, empty, non-system role; permissions are granted separately. Audited as `role.create`. */
export function makeCreateRole(deps: CreateRoleDeps) {
  return async function createRole(actor: AdminActor, fields: RoleFields, ctx: RequestContext): Promise<RoleDetails> {
    const issues = roleFieldIssues(fields);
    if (issues.length > 0) throw validationError(issues);
    return deps.uow.run(async (tx) => {
      const role = await tx.roles.create({ name: fields.name, description: fields.description ?? null });
      await audit(tx, deps, ctx, {
        action: "role.create",
        userId: actor.id,
        resourceType: "role",
        resourceId: role.id,
        details: { name: role.name, description: role.description },
      });
      return { ...role, permissions: [], userCount: 0 };
    });
  };
}

export type CreateRole = ReturnType<typeof makeCreateRole>;
