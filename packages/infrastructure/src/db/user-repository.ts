// Over 300 lines on purpose: the one adapter of the UserRepository port; splitting it would
// separate the row mapping from the queries that share it.
import { randomUUID } from "node:crypto";
import {
  type AccountStatus,
  AccountStatuses,
  codesEndedBy,
  DomainError,
  type KeycloakSyncStatus,
  type NewUser,
  type RoleGrant,
  type User,
  type UserExpectation,
  type UserListQuery,
  type UserRepository,
  type UserStatistics,
  type UserWithRoles,
} from "@gatehouse/domain";
import { and, asc, desc, eq, gt, ilike, inArray, isNotNull, isNull, lt, not, or, type SQL, sql } from "drizzle-orm";
import { type Database, rowsOf } from "./database.js";
import { oneTimeCodes, permissions, rolePermissions, roles, userRoles, userSearchText, users } from "./schema.js";
import { violatedUniqueConstraint } from "./unique-violation.js";

type UserRow = typeof users.$inferSelect;

export function toUser(row: UserRow): User {
  return {
    ...row,
    status: row.status as AccountStatus,
    keycloakSyncStatus: row.keycloakSyncStatus as KeycloakSyncStatus | null,
  };
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

type GrantRow = { roleId: string | null; roleName: string | null; permission: string | null };

/** Folds the rows of a user ⋈ roles ⋈ permissions join into role grants. */
function grantsOf(rows: readonly GrantRow[]): RoleGrant[] {
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
  return [...grants.values()];
}

function withRolesOf(rows: ReadonlyArray<GrantRow & { user: UserRow }>): UserWithRoles | undefined {
  const first = rows[0];
  return first === undefined ? undefined : { user: toUser(first.user), roles: grantsOf(rows) };
}

/** Users ⋈ roles ⋈ permissions: one row per granted permission, ordered for `grantsOf`. */
function selectUserGrants(db: Database, where: SQL | undefined) {
  return db
    .select({ user: users, roleId: roles.id, roleName: roles.name, permission: permissions.name })
    .from(users)
    .leftJoin(userRoles, eq(userRoles.userId, users.id))
    .leftJoin(roles, eq(roles.id, userRoles.roleId))
    .leftJoin(rolePermissions, eq(rolePermissions.roleId, roles.id))
    .leftJoin(permissions, eq(permissions.id, rolePermissions.permissionId))
    .where(where)
    .orderBy(asc(roles.name), asc(permissions.name));
}

/** The conditions of `update`'s `expect`. */
function expectation(expect: UserExpectation | undefined): SQL[] {
  const conditions: SQL[] = [];
  if (expect?.deleted === false) conditions.push(isNull(users.deletedAt));
  if (expect?.deleted === true) conditions.push(isNotNull(users.deletedAt));
  if (expect?.status !== undefined) conditions.push(eq(users.status, expect.status));
  return conditions;
}

/** `\`, `%` and `_` taken literally by LIKE (whose default escape character is the backslash). */
export function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (char) => `\\${char}`);
}

const liveAndActive = sql`(${users.status} = 'active' AND ${users.deletedAt} IS NULL)`;

function listConditions(query: UserListQuery): SQL | undefined {
  const conditions: Array<SQL | undefined> = [];
  if (!query.includeDeleted) conditions.push(isNull(users.deletedAt));
  if (query.search !== undefined && query.search !== "") {
    const pattern = `%${escapeLike(query.search)}%`;
    conditions.push(ilike(userSearchText(users), pattern));
  }
  if (query.status !== undefined) conditions.push(eq(users.status, query.status));
  if (query.isActive !== undefined) conditions.push(query.isActive ? liveAndActive : not(liveAndActive));
  if (query.role !== undefined) {
    conditions.push(
      sql`EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = "users"."id" AND r.name = ${query.role})`,
    );
  }
  return and(...conditions);
}

function listOrder(query: UserListQuery): SQL[] {
  const direction = query.order === "asc" ? asc : desc;
  const searching = query.search !== undefined && query.search !== "";
  // Case-insensitive order, on the same expressions the unique indexes cover. While searching,
  // the key is disguised (same order, no index matches it): otherwise the planner, expecting
  // many matches, walks that index and filters row by row until the page fills, which for a
  // rare term means the whole table; the trigram index finds the few matches at once.
  const key =
    query.sort === "username"
      ? sql`lower(${users.username})${searching ? sql` || ''` : sql``}`
      : query.sort === "email"
        ? sql`lower(${users.email})${searching ? sql` || ''` : sql``}`
        : sql`${users.createdAt}${searching ? sql` + interval '0 seconds'` : sql``}`;
  return [direction(key), direction(users.id)];
}

// Spelled out with aliases: Drizzle leaves column names unqualified in a one-table select,
// which would make `id` inside the subquery mean the role's id.
const roleNamesOfUser = sql<
  string[]
>`ARRAY(SELECT r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = "users"."id" ORDER BY r.name)`;

async function statisticsOf(db: Database, now: Date): Promise<UserStatistics> {
  const day = 86_400_000;
  const since = (days: number) => new Date(now.getTime() - days * day).toISOString();
  const [byStatusRows, byRoleRows, totalsRows] = await Promise.all([
    db
      .select({ status: users.status, count: sql<number>`count(*)::int` })
      .from(users)
      .where(isNull(users.deletedAt))
      .groupBy(users.status),
    db
      .select({ name: roles.name, count: sql<number>`count(${users.id})::int` })
      .from(roles)
      .leftJoin(userRoles, eq(userRoles.roleId, roles.id))
      .leftJoin(users, and(eq(users.id, userRoles.userId), isNull(users.deletedAt)))
      .groupBy(roles.name)
      .orderBy(asc(roles.name)),
    db.execute(sql`SELECT
        count(*) FILTER (WHERE ${users.deletedAt} IS NOT NULL)::int AS deleted,
        count(*) FILTER (WHERE ${users.createdAt} >= ${since(1)}::timestamptz)::int AS last24h,
        count(*) FILTER (WHERE ${users.createdAt} >= ${since(7)}::timestamptz)::int AS last7d,
        count(*) FILTER (WHERE ${users.createdAt} >= ${since(30)}::timestamptz)::int AS last30d
      FROM ${users}`),
  ]);
  const byStatus = Object.fromEntries(AccountStatuses.map((status) => [status, 0])) as Record<AccountStatus, number>;
  for (const row of byStatusRows) byStatus[row.status as AccountStatus] = row.count;
  const totals = rowsOf<{ deleted: number; last24h: number; last7d: number; last30d: number }>(totalsRows)[0];
  const totalUsers = Object.values(byStatus).reduce((sum, count) => sum + count, 0);
  return {
    totalUsers,
    active: byStatus.active,
    inactive: totalUsers - byStatus.active,
    deleted: totals?.deleted ?? 0,
    byStatus,
    byRole: Object.fromEntries(byRoleRows.map((row) => [row.name, row.count])),
    registrations: { last24h: totals?.last24h ?? 0, last7d: totals?.last7d ?? 0, last30d: totals?.last30d ?? 0 },
  };
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
      selectUserGrants(db, and(eq(users.id, sql.placeholder("id")), isNull(users.deletedAt))).prepare(
        "user_with_roles",
      ),
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
      return mappingDuplicates(async () => {
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
      });
    },

    async find(id, options = {}) {
      // The login and `me` paths read a live user without a lock: the prepared query.
      if (!options.includeDeleted && !options.lock) return withRolesOf(await query("withRoles").execute({ id }));
      const where = options.includeDeleted ? eq(users.id, id) : and(eq(users.id, id), isNull(users.deletedAt));
      const select = selectUserGrants(db, where);
      return withRolesOf(await (options.lock ? select.for("update", { of: users }) : select));
    },

    async findByEmail(email) {
      const [row] = await query("byEmail").execute({ email });
      return row && toUser(row);
    },

    async findByKeycloakId(keycloakId) {
      const [row] = await db.select().from(users).where(eq(users.keycloakId, keycloakId)).limit(1);
      return row && toUser(row);
    },

    async keycloakManaged(afterId, limit) {
      const managed = isNotNull(users.keycloakSyncStatus);
      const rows = await db
        .select()
        .from(users)
        .where(afterId === null ? managed : and(managed, gt(users.id, afterId)))
        .orderBy(asc(users.id))
        .limit(limit);
      return rows.map(toUser);
    },

    async usernameTaken(username) {
      const where = and(sql`lower(${users.username}) = lower(${username})`, isNull(users.deletedAt));
      return (await db.select({ id: users.id }).from(users).where(where).limit(1)).length > 0;
    },

    async update(id, changes, at, expect) {
      const [row] = await mappingDuplicates(() =>
        db
          .update(users)
          .set({ ...changes, updatedAt: at })
          .where(and(eq(users.id, id), ...expectation(expect)))
          .returning(),
      );
      const ended = codesEndedBy(changes);
      if (row !== undefined && ended.length > 0) {
        await db
          .update(oneTimeCodes)
          .set({ revokedAt: at })
          .where(
            and(
              eq(oneTimeCodes.userId, id),
              inArray(oneTimeCodes.purpose, [...ended]),
              isNull(oneTimeCodes.usedAt),
              isNull(oneTimeCodes.revokedAt),
            ),
          );
      }
      return row && toUser(row);
    },

    async upgradePasswordHash(id, from, to, at) {
      const updated = await db
        .update(users)
        .set({ passwordHash: to, updatedAt: at })
        .where(and(eq(users.id, id), eq(users.passwordHash, from), isNull(users.deletedAt)))
        .returning({ id: users.id });
      return updated.length > 0;
    },

    async deletePermanently(id) {
      const removed = await db.delete(users).where(eq(users.id, id)).returning({ id: users.id });
      return removed.length > 0;
    },

    async list(listQuery) {
      const where = listConditions(listQuery);
      const [rows, counted] = await Promise.all([
        db
          .select({ user: users, roleNames: roleNamesOfUser })
          .from(users)
          .where(where)
          .orderBy(...listOrder(listQuery))
          .limit(listQuery.perPage)
          .offset((listQuery.page - 1) * listQuery.perPage),
        db.select({ count: sql<number>`count(*)::int` }).from(users).where(where),
      ]);
      return {
        items: rows.map((row) => ({ user: toUser(row.user), roleNames: row.roleNames })),
        totalItems: counted[0]?.count ?? 0,
      };
    },

    statistics: (now) => statisticsOf(db, now),

    async rolesNamed(names) {
      if (names.length === 0) return [];
      const rows = await db
        .select({ roleId: roles.id, roleName: roles.name, permission: permissions.name })
        .from(roles)
        .leftJoin(rolePermissions, eq(rolePermissions.roleId, roles.id))
        .leftJoin(permissions, eq(permissions.id, rolePermissions.permissionId))
        .where(inArray(roles.name, [...names]))
        .orderBy(asc(roles.name), asc(permissions.name));
      return grantsOf(rows);
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
  };
}
