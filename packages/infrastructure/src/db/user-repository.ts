import { randomUUID } from "node:crypto";
import {
  type AccountStatus,
  DomainError,
  type NewUser,
  type RoleGrant,
  type User,
  type UserRepository,
  type UserWithRoles,
} from "@gatehouse/domain";
import { and, asc, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import type { Database } from "./database.js";
import { oneTimeCodes, permissions, rolePermissions, roles, userRoles, users } from "./schema.js";
import { violatedUniqueConstraint } from "./unique-violation.js";

type UserRow = typeof users.$inferSelect;

export function toUser(row: UserRow): User {
  return { ...row, status: row.status as AccountStatus };
}

/**
 * A never-verified registration that expired: created before `createdBefore` and without a
 * verification code still valid at `now` (a resend renews the registration).
 */
export function expiredRegistration(createdBefore: Date, now: Date) {
  return and(
    eq(users.status, "pending_verification"),
    isNull(users.deletedAt),
    lt(users.createdAt, createdBefore),
    sql`NOT EXISTS (SELECT 1 FROM ${oneTimeCodes} c WHERE c.user_id = ${users.id}
      AND c.purpose = 'verify_email' AND c.expires_at > ${now.toISOString()}::timestamptz)`,
  );
}

/** Runs a write that may hit the email/username unique indexes, naming the clash. */
async function mappingDuplicates<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    const constraint = violatedUniqueConstraint(error);
    if (constraint !== undefined) throw duplicateError(constraint);
    throw error;
  }
}

function duplicateError(constraint: string): DomainError {
  return constraint === "users_username_unique"
    ? new DomainError("DUPLICATE_USERNAME", "Username is already taken")
    : new DomainError("DUPLICATE_EMAIL", "Email is already registered");
}

/**
 * The read queries of the login and `me` paths, each built once per repository and only when
 * first used: Drizzle's query building costs more CPU than the query itself on these paths.
 */
function preparedReads(db: Database) {
  const live = (column: typeof users.email, name: string) =>
    db
      .select()
      .from(users)
      .where(and(eq(column, sql.placeholder(name)), isNull(users.deletedAt)))
      .limit(1);
  const build = {
    byEmail: () => live(users.email, "email").prepare("user_by_email"),
    withRoles: () =>
      db
        .select({ user: users, roleId: roles.id, roleName: roles.name, permission: permissions.name })
        .from(users)
        .leftJoin(userRoles, eq(userRoles.userId, users.id))
        .leftJoin(roles, eq(roles.id, userRoles.roleId))
        .leftJoin(rolePermissions, eq(rolePermissions.roleId, roles.id))
        .leftJoin(permissions, eq(permissions.id, rolePermissions.permissionId))
        .where(and(eq(users.id, sql.placeholder("id")), isNull(users.deletedAt)))
        .orderBy(asc(roles.name), asc(permissions.name))
        .prepare("user_with_roles"),
  };
  type Built = { [K in keyof typeof build]?: ReturnType<(typeof build)[K]> };
  const cache: Built = {};
  return <K extends keyof typeof build>(key: K): ReturnType<(typeof build)[K]> => {
    cache[key] ??= build[key]() as Built[K];
    return cache[key] as ReturnType<(typeof build)[K]>;
  };
}

export function makeUserRepository(db: Database): UserRepository {
  const query = preparedReads(db);
  return {
    async create(newUser: NewUser, roleNames: readonly string[]): Promise<User> {
      const id = randomUUID();
      try {
        const [row] = await db
          .insert(users)
          .values({ id, ...newUser })
          .returning();
        if (roleNames.length > 0) {
          const granted = await db
            .select({ id: roles.id })
            .from(roles)
            .where(inArray(roles.name, [...roleNames]));
          if (granted.length !== roleNames.length) throw new Error(`unknown role among ${roleNames.join(", ")}`);
          await db.insert(userRoles).values(granted.map((role) => ({ userId: id, roleId: role.id })));
        }
        return toUser(row as UserRow);
      } catch (error) {
        const constraint = violatedUniqueConstraint(error);
        if (constraint !== undefined) throw duplicateError(constraint);
        throw error;
      }
    },

    async markEmailVerified(id, status, at) {
      const [row] = await db
        .update(users)
        .set({ status, statusChangedAt: at, emailVerifiedAt: at, updatedAt: at })
        .where(and(eq(users.id, id), eq(users.status, "pending_verification"), isNull(users.deletedAt)))
        .returning();
      return row && toUser(row);
    },

    async setPassword(id, passwordHash, at) {
      const [row] = await db
        .update(users)
        .set({ passwordHash, passwordChangedAt: at, updatedAt: at })
        .where(and(eq(users.id, id), isNull(users.deletedAt)))
        .returning();
      return row && toUser(row);
    },

    async updateProfile(id, changes, at) {
      const [row] = await mappingDuplicates(() =>
        db
          .update(users)
          .set({ ...changes, updatedAt: at })
          .where(and(eq(users.id, id), isNull(users.deletedAt)))
          .returning(),
      );
      return row && toUser(row);
    },

    async changeEmail(id, email, at) {
      const [row] = await mappingDuplicates(() =>
        db
          .update(users)
          .set({ email, emailVerifiedAt: at, updatedAt: at })
          .where(and(eq(users.id, id), isNull(users.deletedAt)))
          .returning(),
      );
      return row && toUser(row);
    },

    async deleteExpiredRegistrations(holding, createdBefore, now) {
      const deleted = await db
        .delete(users)
        .where(
          and(
            expiredRegistration(createdBefore, now),
            or(
              sql`lower(${users.email}) = ${holding.email.toLowerCase()}`,
              sql`lower(${users.username}) = ${holding.username.toLowerCase()}`,
            ),
          ),
        )
        .returning({ id: users.id });
      return deleted.map((row) => row.id);
    },

    async findByEmail(email) {
      const [row] = await query("byEmail").execute({ email });
      return row && toUser(row);
    },

    async findWithRoles(id): Promise<UserWithRoles | undefined> {
      const rows = await query("withRoles").execute({ id });
      const first = rows[0];
      if (first === undefined) return undefined;
      const grants = new Map<string, { id: string; name: string; permissions: string[] }>();
      for (const row of rows) {
        if (row.roleId === null || row.roleName === null) continue;
        let grant = grants.get(row.roleId);
        if (grant === undefined) {
          grant = { id: row.roleId, name: row.roleName, permissions: [] };
          grants.set(row.roleId, grant);
        }
        if (row.permission !== null) grant.permissions.push(row.permission);
      }
      return { user: toUser(first.user), roles: [...grants.values()] satisfies RoleGrant[] };
    },
  };
}
