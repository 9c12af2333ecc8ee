import type { FieldIssue } from "../errors/domain-error.js";

/** The system roles seeded by the first migration. */
export const SystemRoles = { superAdmin: "super_admin", admin: "admin", user: "user" } as const;

export type SystemRoleName = (typeof SystemRoles)[keyof typeof SystemRoles];

/**
 * The seeded permissions, named `resource:action`: the first migration's, chat's,
 * `system:read` (host figures in health responses), `users:write_email` (an admin-set email
 * becomes the sign-in email at once, unverified: super_admin only, dangerous) and `users:import`
 * (user import with password hashes).
 */
export const Permissions = [
  "users:read",
  "users:write",
  "users:delete",
  "users:write_email",
  "users:import",
  "roles:read",
  "roles:write",
  "roles:delete",
  "permissions:read",
  "permissions:write",
  "audit:read",
  "chat:read",
  "chat:write",
  "chat:manage",
  "system:read",
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

/** A role as stored: system roles (seeded) can be neither renamed, changed nor deleted. */
export interface Role {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly isSystem: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A permission as stored, named `resource:action`. */
export interface Permission {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** A role with the permissions it grants (id and name, sorted by name). */
export interface RoleWithPermissions extends Role {
  readonly permissions: ReadonlyArray<Pick<Permission, "id" | "name">>;
}

/** A role for the admin listing: its permissions and how many live users hold it. */
export interface RoleDetails extends RoleWithPermissions {
  readonly userCount: number;
}

const ROLE_NAME = /^[a-z0-9_]{2,50}$/;
const PERMISSION_NAME = /^[a-z0-9_]{1,49}:[a-z0-9_]{1,50}$/;
export const DESCRIPTION_MAX = 500;

/** Role names: lower-case `[a-z0-9_]{2,50}`. */
export function checkRoleName(value: string, field = "name"): FieldIssue | undefined {
  return ROLE_NAME.test(value)
    ? undefined
    : { field, message: "must be 2-50 characters: lower-case letters, digits and '_'" };
}

/** Permission names: lower-case `resource:action`, at most 100 characters. */
export function checkPermissionName(value: string, field = "name"): FieldIssue | undefined {
  return PERMISSION_NAME.test(value)
    ? undefined
    : { field, message: "must be 'resource:action' in lower-case letters, digits and '_'" };
}

export function checkDescription(value: string | null | undefined, field = "description"): FieldIssue | undefined {
  return value != null && value.length > DESCRIPTION_MAX
    ? { field, message: `must be at most ${DESCRIPTION_MAX} characters` }
    : undefined;
}
