/** The system roles seeded by the first migration (PRD §4.3.2). */
export const SystemRoles = { superAdmin: "super_admin", admin: "admin", user: "user" } as const;

export type SystemRoleName = (typeof SystemRoles)[keyof typeof SystemRoles];

/** The permissions seeded by the first migration (PRD §4.3.1), named `resource:action`. */
export const Permissions = [
  "users:read",
  "users:write",
  "users:delete",
  "roles:read",
  "roles:write",
  "roles:delete",
  "permissions:read",
  "permissions:write",
  "audit:read",
] as const;

export type PermissionName = (typeof Permissions)[number];

/** What a user may do right now: the names of its roles and the union of their permissions. */
export interface UserAccess {
  readonly roles: readonly string[];
  readonly permissions: readonly string[];
}

/** `super_admin` holds every permission, including ones created after it was granted. */
export function hasPermission(access: UserAccess, permission: string): boolean {
  return access.roles.includes(SystemRoles.superAdmin) || access.permissions.includes(permission);
}
