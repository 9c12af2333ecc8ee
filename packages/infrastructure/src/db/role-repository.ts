import {
  DomainError,
  type Permission,
  type Role,
  type RoleDetails,
  type RoleRepository,
  type RoleWithPermissions,
} from "@gatehouse/domain";
import { and, asc, count, eq, gt, inArray, isNull, type SQL, sql } from "drizzle-orm";
import type { Database } from "./database.js";
import { permissions, rolePermissions, roles, userRoles, users } from "./schema.js";
import { violatedUniqueConstraint } from "./unique-violation.js";

type RoleRow = typeof roles.$inferSelect;
type LockStrength = "update" | "share" | undefined;

function withPermissionsOf(
  rows: readonly RoleRow[],
  grants: ReadonlyArray<{ roleId: string; id: string; name: string }>,
): RoleWithPermissions[] {
  return rows.map((role) => ({
    ...role,
    permissions: grants.filter((grant) => grant.roleId === role.id).map(({ id, name }) => ({ id, name })),
  }));
}

async function rethrowDuplicate<T>(work: Promise<T>, code: "DUPLICATE_ROLE" | "DUPLICATE_PERMISSION"): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (violatedUniqueConstraint(error) === undefined) throw error;
    throw new DomainError(code, code === "DUPLICATE_ROLE" ? "Role name is already taken" : "Permission already exists");
  }
}

export function makeRoleRepository(db: Database): RoleRepository {
  /** The roles matching `where` with their permissions, locked as asked, in two queries. */
  async function rolesWhere(where: SQL, lock: LockStrength): Promise<RoleWithPermissions[]> {
    const query = db.select().from(roles).where(where).orderBy(asc(roles.name));
    const rows = await (lock === undefined ? query : query.for(lock));
    if (rows.length === 0) return [];
    const grants = await db
      .select({ roleId: rolePermissions.roleId, id: permissions.id, name: permissions.name })
      .from(rolePermissions)
      .innerJoin(permissions, eq(permissions.id, rolePermissions.permissionId))
      .where(
        inArray(
          rolePermissions.roleId,
          rows.map((row) => row.id),
        ),
      )
      .orderBy(asc(permissions.name));
    return withPermissionsOf(rows, grants);
  }
  const one = async (where: SQL, lock: LockStrength) => (await rolesWhere(where, lock))[0];

  return {
    async list(): Promise<RoleDetails[]> {
      const [all, counts] = await Promise.all([
        rolesWhere(sql`true`, undefined),
        db
          .select({ roleId: userRoles.roleId, holders: count() })
          .from(userRoles)
          .innerJoin(users, and(eq(users.id, userRoles.userId), isNull(users.deletedAt)))
          .groupBy(userRoles.roleId),
      ]);
      const byRole = new Map(counts.map((row) => [row.roleId, row.holders]));
      return all.map((role) => ({ ...role, userCount: byRole.get(role.id) ?? 0 }));
    },

    findById: (id) => one(eq(roles.id, id), undefined),
    lock: (id) => one(eq(roles.id, id), "update"),
    lockByName: (name) => one(eq(roles.name, name), "update"),

    async findForAssignment(by) {
      const where = "ids" in by ? inArray(roles.id, [...by.ids]) : inArray(roles.name, [...by.names]);
      return rolesWhere(where, "share");
    },

    async create(input): Promise<Role> {
      const [row] = await rethrowDuplicate(db.insert(roles).values(input).returning(), "DUPLICATE_ROLE");
      return row as Role;
    },

    async update(id, input): Promise<Role> {
      const [row] = await rethrowDuplicate(
        db
          .update(roles)
          .set({ ...input, updatedAt: sql`now()` })
          .where(eq(roles.id, id))
          .returning(),
        "DUPLICATE_ROLE",
      );
      if (row === undefined) throw new DomainError("ROLE_NOT_FOUND", "Role not found");
      return row;
    },

    async delete(id) {
      await db.delete(roles).where(eq(roles.id, id));
    },

    async countHolders(roleId) {
      const [row] = await db
        .select({ holders: count() })
        .from(userRoles)
        .innerJoin(users, and(eq(users.id, userRoles.userId), isNull(users.deletedAt)))
        .where(eq(userRoles.roleId, roleId));
      return row?.holders ?? 0;
    },

    async holders(roleId, afterUserId, limit) {
      const rows = await db
        .select({ userId: userRoles.userId })
        .from(userRoles)
        .where(
          afterUserId === null
            ? eq(userRoles.roleId, roleId)
            : and(eq(userRoles.roleId, roleId), gt(userRoles.userId, afterUserId)),
        )
        .orderBy(asc(userRoles.userId))
        .limit(limit);
      return rows.map((row) => row.userId);
    },

    async grantPermissions(roleId, permissionIds) {
      if (permissionIds.length === 0) return [];
      const rows = await db
        .insert(rolePermissions)
        .values(permissionIds.map((permissionId) => ({ roleId, permissionId })))
        .onConflictDoNothing()
        .returning({ permissionId: rolePermissions.permissionId });
      return rows.map((row) => row.permissionId);
    },

    async revokePermission(roleId, permissionId) {
      const rows = await db
        .delete(rolePermissions)
        .where(and(eq(rolePermissions.roleId, roleId), eq(rolePermissions.permissionId, permissionId)))
        .returning({ roleId: rolePermissions.roleId });
      return rows.length > 0;
    },

    listPermissions: (): Promise<Permission[]> => db.select().from(permissions).orderBy(asc(permissions.name)),

    async findPermissions(ids) {
      if (ids.length === 0) return [];
      return db
        .select()
        .from(permissions)
        .where(inArray(permissions.id, [...ids]))
        .orderBy(asc(permissions.name));
    },

    async createPermission(input): Promise<Permission> {
      const [row] = await rethrowDuplicate(db.insert(permissions).values(input).returning(), "DUPLICATE_PERMISSION");
      return row as Permission;
    },

    async assign(userId, roleIds, assignedBy) {
      if (roleIds.length === 0) return [];
      const rows = await db
        .insert(userRoles)
        .values(roleIds.map((roleId) => ({ userId, roleId, assignedBy })))
        .onConflictDoNothing()
        .returning({ roleId: userRoles.roleId });
      return rows.map((row) => row.roleId);
    },

    async unassign(userId, roleId) {
      const rows = await db
        .delete(userRoles)
        .where(and(eq(userRoles.userId, userId), eq(userRoles.roleId, roleId)))
        .returning({ roleId: userRoles.roleId });
      return rows.length > 0;
    },
  };
}
