import {
  type AuditAction,
  type Clock,
  DomainError,
  hasPermission,
  isDomainError,
  type RequestContext,
  type RoleWithPermissions,
  SystemRoles,
  type UnitOfWork,
  type UserAccess,
} from "@gatehouse/domain";
import { auditEntryFor } from "../shared/audit-entry-for.js";

/** The administrator making a change: who (for audit) and what they hold now (for escalation checks). */
export interface AdminActor {
  readonly id: string;
  readonly access: UserAccess;
}

function isSuperAdmin(access: UserAccess): boolean {
  return access.roles.includes(SystemRoles.superAdmin);
}

/**
 * Nobody hands out more than they hold: a permission the actor lacks cannot be granted to a
 * role, and a role holding one cannot be given to a user (PRD §6.5; ASVS 8.2.x).
 * @throws DomainError PRIVILEGE_ESCALATION naming the permissions the actor lacks.
 */
export function assertHoldsAll(actor: AdminActor, permissions: readonly string[]): void {
  const lacking = permissions.filter((permission) => !hasPermission(actor.access, permission));
  if (lacking.length > 0) {
    throw new DomainError("PRIVILEGE_ESCALATION", "You cannot grant permissions you do not hold yourself", {
      missing_permissions: lacking,
    });
  }
}

/** `super_admin` itself is handed out and taken away by super-admins only. */
export function assertMayHandOut(actor: AdminActor, roles: readonly RoleWithPermissions[]): void {
  if (roles.some((role) => role.name === SystemRoles.superAdmin) && !isSuperAdmin(actor.access)) {
    throw new DomainError("PRIVILEGE_ESCALATION", "Only a super_admin may grant or remove the super_admin role");
  }
  assertHoldsAll(
    actor,
    roles.flatMap((role) => role.permissions.map((permission) => permission.name)),
  );
}

/** The role exists and is not a system role, else the matching error. */
export function assertModifiable<T extends { isSystem: boolean }>(role: T | undefined): T {
  if (role === undefined) throw new DomainError("ROLE_NOT_FOUND", "Role not found");
  if (role.isSystem) throw new DomainError("CANNOT_MODIFY_SYSTEM_ROLE", "System roles cannot be changed");
  return role;
}

/**
 * Runs a role change and, when it is refused as PRIVILEGE_ESCALATION, records the attempt as a
 * `failure` audit row in its own transaction (the change's transaction rolled back with its
 * rows): an administrator trying to hand out more than they hold is worth seeing.
 */
export async function auditingEscalation<T>(
  deps: { readonly uow: UnitOfWork; readonly clock: Clock },
  ctx: RequestContext,
  attempt: {
    readonly action: AuditAction;
    readonly actor: AdminActor;
    readonly resourceType: string;
    readonly resourceId: string;
  },
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isDomainError(error) && error.code === "PRIVILEGE_ESCALATION") {
      const details = { refused: error.code, ...(typeof error.details === "object" ? error.details : {}) };
      await deps.uow.run((tx) =>
        tx.auditLog.append(
          auditEntryFor(deps.clock, ctx, {
            action: attempt.action,
            userId: attempt.actor.id,
            resourceType: attempt.resourceType,
            resourceId: attempt.resourceId,
            status: "failure",
            details,
          }),
        ),
      );
    }
    throw error;
  }
}
