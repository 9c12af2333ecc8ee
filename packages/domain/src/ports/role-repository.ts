import type { Permission, Role, RoleDetails, RoleWithPermissions } from "../user/role.js";

/** The fields an admin may set on a role. */
export interface RoleInput {
  readonly name: string;
  readonly description: string | null;
}

/** The fields an admin may set on a permission. */
export interface PermissionInput {
  readonly name: string;
  readonly description: string | null;
}

/**
 * Persistence of roles, permissions, and who holds which role. Assignment counts and holder
 * lists consider live (not soft-deleted) users only.
 */
export interface RoleRepository {
  /** Every role with its permissions and live-holder count, sorted by name. */
  list(): Promise<RoleDetails[]>;
  /** The role with this id and its permissions, if any. */
  findById(id: string): Promise<RoleWithPermissions | undefined>;
  /**
   * Locks the role's row until the transaction ends (`FOR UPDATE`) and returns it, so a
   * check-then-act on the role (system flag, holder count, last super-admin) cannot race a
   * concurrent change or assignment. Outside a transaction the lock ends at once.
   */
  lock(id: string): Promise<RoleWithPermissions | undefined>;
  /** Like {@link lock}, by name (the super-admin role, for the last-holder and bootstrap checks). */
  lockByName(name: string): Promise<RoleWithPermissions | undefined>;
  /**
   * The roles with these ids (or names), locked `FOR SHARE` so they cannot be deleted or
   * changed while the caller assigns them. Unknown ids/names are simply absent.
   */
  findForAssignment(
    by: { readonly ids: readonly string[] } | { readonly names: readonly string[] },
  ): Promise<RoleWithPermissions[]>;
  /**
   * Inserts a non-system role.
   * @throws DomainError DUPLICATE_ROLE when the name is taken (including by a concurrent insert).
   */
  create(input: RoleInput): Promise<Role>;
  /**
   * Changes a role's name and description and bumps `updated_at`.
   * @throws DomainError DUPLICATE_ROLE when the new name is taken.
   */
  update(id: string, input: RoleInput): Promise<Role>;
  /** Deletes the role with its assignments and permission grants. */
  delete(id: string): Promise<void>;
  /** How many live users hold the role. */
  countHolders(roleId: string): Promise<number>;
  /**
   * One page of the ids of users (deleted or not) holding the role, in id order, after
   * `afterUserId` (exclusive; null for the first page). Keyset paging keeps each page an
   * index range scan, however many holders the role has.
   */
  holders(roleId: string, afterUserId: string | null, limit: number): Promise<string[]>;
  /** Adds the permissions to the role; already granted ones are skipped. Returns the newly granted ids. */
  grantPermissions(roleId: string, permissionIds: readonly string[]): Promise<string[]>;
  /** Removes one permission from the role. False when the role did not hold it. */
  revokePermission(roleId: string, permissionId: string): Promise<boolean>;
  /** Every permission, sorted by name. */
  listPermissions(): Promise<Permission[]>;
  /** The permissions with these ids; unknown ids are absent. */
  findPermissions(ids: readonly string[]): Promise<Permission[]>;
  /**
   * Inserts a permission.
   * @throws DomainError DUPLICATE_PERMISSION when the name is taken (including by a concurrent insert).
   */
  createPermission(input: PermissionInput): Promise<Permission>;
  /**
   * Gives the user the roles; already held ones are skipped. Returns the newly assigned role ids.
   */
  assign(userId: string, roleIds: readonly string[], assignedBy: string | null): Promise<string[]>;
  /** Takes the role from the user. False when the user did not hold it. */
  unassign(userId: string, roleId: string): Promise<boolean>;
}
