import { DomainError, hasPermission, SystemRoles, type UserAccess } from "@gatehouse/domain";

/** The administrator making a change: who (for audit) and what they hold now (for escalation checks). */
export interface AdminActor {
  /** Null: the operator at the `gatehouse` CLI, audited with no user and the CLI's user agent. */
  readonly id: string | null;
  readonly access: UserAccess;
}

export function isSuperAdmin(access: UserAccess): boolean {
  return access.roles.includes(SystemRoles.superAdmin);
}

/** What a change hands out (or, for `super_admin`, takes away): roles by name, permissions by name. */
export interface Grant {
  readonly roleNames?: readonly string[];
  readonly permissions: readonly string[];
}

/**
 * Nobody grants more than they hold, wherever the grant happens (a new user's roles, roles
 * given to a user, permissions given to a role): `super_admin` is handed out and taken away by
 * super-admins only, and no permission the actor lacks is handed out.
 * @throws DomainError PRIVILEGE_ESCALATION (403), naming in `missing_permissions` the
 *   permissions the actor lacks.
 */
export function assertMayGrant(actor: Pick<AdminActor, "access">, grant: Grant): void {
  if (grant.roleNames?.includes(SystemRoles.superAdmin) && !isSuperAdmin(actor.access)) {
    throw new DomainError("PRIVILEGE_ESCALATION", "Only a super_admin may grant or remove the super_admin role");
  }
  const missing = [...new Set(grant.permissions)].filter((permission) => !hasPermission(actor.access, permission));
  if (missing.length > 0) {
    throw new DomainError("PRIVILEGE_ESCALATION", "You cannot grant permissions you do not hold yourself", {
      missing_permissions: missing.sort(),
    });
  }
}

/**
 * Nobody acts on a user who holds more than they do: an administrator may change, suspend,
 * delete or reset a user only when every permission the user holds (through any role) is one
 * the administrator holds too, else an admin could take over, or lock out, a role manager by
 * changing their email and resetting the password. The super_admin rule is checked before this
 * (SUPER_ADMIN_REQUIRED); a super_admin holds everything, so passes.
 * @throws DomainError PRIVILEGE_ESCALATION (403), naming in `missing_permissions` what the
 *   target holds and the actor lacks.
 */
export function assertMayActOn(
  actor: AdminActor,
  target: { readonly roles: ReadonlyArray<{ readonly permissions: readonly string[] }> },
): void {
  const held = [...new Set(target.roles.flatMap((role) => role.permissions))];
  const missing = held.filter((permission) => !hasPermission(actor.access, permission));
  if (missing.length > 0) {
    throw new DomainError("PRIVILEGE_ESCALATION", "You cannot manage a user who holds permissions you lack", {
      missing_permissions: missing.sort(),
    });
  }
}

/** The grant of handing out these roles: their names and every permission they carry. */
export function grantOfRoles(
  roles: ReadonlyArray<{
    readonly name: string;
    readonly permissions: ReadonlyArray<string | { readonly name: string }>;
  }>,
): Grant {
  return {
    roleNames: roles.map((role) => role.name),
    permissions: roles.flatMap((role) => role.permissions.map((p) => (typeof p === "string" ? p : p.name))),
  };
}

/** The role exists and is not a system role, else the matching error. */
export function assertModifiable<T extends { isSystem: boolean }>(role: T | undefined): T {
  if (role === undefined) throw new DomainError("ROLE_NOT_FOUND", "Role not found");
  if (role.isSystem) throw new DomainError("CANNOT_MODIFY_SYSTEM_ROLE", "System roles cannot be changed");
  return role;
}
