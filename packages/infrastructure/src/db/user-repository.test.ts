import { DomainError, type NewUser, type UserListQuery } from "@gatehouse/domain";
import { ilike, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from "../testing/test-database.js";
import { rowsOf } from "./database.js";
import { userSearchText, users as usersTable } from "./schema.js";
import { makeUnitOfWork, repositoriesOn } from "./unit-of-work.js";

function newUser(overrides: Partial<NewUser> = {}): NewUser {
  const unique = Math.random().toString(36).slice(2, 10);
  return {
    username: `user_${unique}`,
    email: `user_${unique}@example.com`,
    passwordHash: "$argon2id$fake",
    fullName: null,
    phoneNumber: null,
    status: "active",
    emailVerifiedAt: null,
    ...overrides,
  };
}

// The UserRepository contract, run against every adapter (PGlite always, PostgreSQL when configured).
describe.each(testDatabaseKinds())("UserRepository contract on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database.drop();
  });
  const users = () => repositoriesOn(database.handle.db).users;

  it("creates a user with timestamps, roles and permissions", async () => {
    const created = await users().create(newUser({ fullName: "Ada Lovelace" }), ["admin"]);
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.createdAt).toBeInstanceOf(Date);
    expect(created.deletedAt).toBeNull();
    const withRoles = await users().findWithRoles(created.id);
    expect(withRoles?.user.fullName).toBe("Ada Lovelace");
    expect(withRoles?.roles.map((role) => role.name)).toEqual(["admin"]);
    expect(withRoles?.roles[0]?.permissions).toEqual([
      "audit:read",
      "roles:read",
      "users:delete",
      "users:read",
      "users:write",
    ]);
  });

  it("returns a user without roles with an empty role list", async () => {
    const created = await users().create(newUser(), []);
    expect((await users().findWithRoles(created.id))?.roles).toEqual([]);
  });

  it("finds by normalized email and by id (with roles), and answers undefined for unknown ones", async () => {
    const created = await users().create(newUser({ email: "find.me@example.com" }), ["user"]);
    expect((await users().findByEmail("find.me@example.com"))?.id).toBe(created.id);
    expect((await users().findWithRoles(created.id))?.user.email).toBe("find.me@example.com");
    expect(await users().findByEmail("nobody@example.com")).toBeUndefined();
    expect(await users().findWithRoles("00000000-0000-4000-8000-000000000000")).toBeUndefined();
  });

  it("rejects a duplicate email and a duplicate username, case-insensitively", async () => {
    await users().create(newUser({ email: "dup@example.com", username: "Duplicate" }), ["user"]);
    await expect(users().create(newUser({ email: "dup@example.com" }), ["user"])).rejects.toMatchObject({
      code: "DUPLICATE_EMAIL",
    });
    await expect(users().create(newUser({ username: "dUPLICATE" }), ["user"])).rejects.toMatchObject({
      code: "DUPLICATE_USERNAME",
    });
  });

  it("lets exactly one of 20 concurrent registrations of one email win", async () => {
    const uow = makeUnitOfWork(database.handle.db);
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        uow.run((tx) => tx.users.create(newUser({ email: "race@example.com", username: `racer_${i}` }), ["user"])),
      ),
    );
    const won = results.filter((result) => result.status === "fulfilled");
    const lost = results.filter((result) => result.status === "rejected");
    expect(won).toHaveLength(1);
    for (const result of lost) {
      expect(result.reason).toBeInstanceOf(DomainError);
      expect((result.reason as DomainError).code).toBe("DUPLICATE_EMAIL");
    }
  });

  it("hides soft-deleted users and frees their email and username", async () => {
    const created = await users().create(newUser({ email: "gone@example.com", username: "gone_user" }), ["user"]);
    await database.handle.db.execute(
      // Soft delete is the admin issue's feature; the raw update stands in for it here.
      (await import("drizzle-orm")).sql`UPDATE users SET deleted_at = now() WHERE id = ${created.id}`,
    );
    expect(await users().findByEmail("gone@example.com")).toBeUndefined();
    expect(await users().findWithRoles(created.id)).toBeUndefined();
    const again = await users().create(newUser({ email: "gone@example.com", username: "gone_user" }), ["user"]);
    expect(again.id).not.toBe(created.id);
  });

  it("rolls the whole unit of work back when it throws", async () => {
    const uow = makeUnitOfWork(database.handle.db);
    await expect(
      uow.run(async (tx) => {
        await tx.users.create(newUser({ email: "rollback@example.com" }), ["user"]);
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(await users().findByEmail("rollback@example.com")).toBeUndefined();
  });

  it("refuses an unknown role name and writes nothing", async () => {
    const uow = makeUnitOfWork(database.handle.db);
    await expect(
      uow.run((tx) => tx.users.create(newUser({ email: "norole@example.com" }), ["no_such_role"])),
    ).rejects.toThrow(/unknown role/);
    expect(await users().findByEmail("norole@example.com")).toBeUndefined();
  });

  const listQuery = (overrides: Partial<UserListQuery>): UserListQuery => ({
    page: 1,
    perPage: 20,
    includeDeleted: false,
    sort: "username",
    order: "asc",
    ...overrides,
  });

  it("finds soft-deleted users by id (with who deleted them) and locks them in a unit of work", async () => {
    const actor = await users().create(newUser(), ["admin"]);
    const created = await users().create(newUser(), ["user"]);
    const deletedAt = new Date("2026-03-01T00:00:00.000Z");
    await users().update(created.id, { deletedAt, deletedBy: actor.id });
    const found = await users().findById(created.id);
    expect(found?.user).toMatchObject({ id: created.id, deletedAt, deletedBy: actor.id });
    expect(found?.roles.map((role) => role.name)).toEqual(["user"]);
    const locked = await makeUnitOfWork(database.handle.db).run((tx) => tx.users.lockById(created.id));
    expect(locked?.user.id).toBe(created.id);
    expect(await users().findById("00000000-0000-4000-8000-000000000000")).toBeUndefined();
  });

  it("updates only the given fields, and refuses a username or email a live user holds", async () => {
    const created = await users().create(newUser({ fullName: "Keep Me" }), ["user"]);
    const other = await users().create(newUser(), ["user"]);
    const updated = await users().update(created.id, { organization: "ACME", department: "R&D" });
    expect(updated).toMatchObject({ organization: "ACME", department: "R&D", fullName: "Keep Me" });
    expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
    await expect(users().update(created.id, { username: other.username.toUpperCase() })).rejects.toMatchObject({
      code: "DUPLICATE_USERNAME",
    });
    // A restore revives the old email: the partial unique index refuses it when it was reused.
    await users().update(other.id, { deletedAt: new Date(), deletedBy: null });
    await users().create(newUser({ email: other.email }), ["user"]);
    await expect(users().update(other.id, { deletedAt: null })).rejects.toMatchObject({ code: "DUPLICATE_EMAIL" });
  });

  it("deletes permanently with roles and tokens, while audit entries keep the id", async () => {
    const created = await users().create(newUser(), ["admin"]);
    const repos = repositoriesOn(database.handle.db);
    await repos.refreshTokens.insert({
      userId: created.id,
      parentId: null,
      tokenHash: `h${Math.random().toString(36).slice(2)}`.padEnd(64, "0"),
      expiresAt: new Date(Date.now() + 60_000),
      userAgent: null,
      ipAddress: null,
    });
    await repos.auditLog.append({
      action: "user.update",
      userId: created.id,
      resourceType: "user",
      resourceId: created.id,
      status: "success",
      details: null,
      ipAddress: null,
      userAgent: null,
      requestId: null,
      durationMs: 1,
      timestamp: new Date(),
    });
    expect(await users().deletePermanently(created.id)).toBe(true);
    expect(await users().deletePermanently(created.id)).toBe(false);
    const left = rowsOf<{ users: number; roles: number; tokens: number; audit: number }>(
      await database.handle.db.execute(sql`SELECT
        (SELECT count(*)::int FROM users WHERE id = ${created.id}) AS users,
        (SELECT count(*)::int FROM user_roles WHERE user_id = ${created.id}) AS roles,
        (SELECT count(*)::int FROM refresh_tokens WHERE user_id = ${created.id}) AS tokens,
        (SELECT count(*)::int FROM audit_logs WHERE user_id = ${created.id} AND resource_id = ${created.id}) AS audit`),
    );
    expect(left[0]).toEqual({ users: 0, roles: 0, tokens: 0, audit: 1 });
  });

  it("lists with a literal case-insensitive search, role/status/active filters, deleted users on request", async () => {
    const tag = `t${Math.random().toString(36).slice(2, 7)}`;
    const a = await users().create(newUser({ username: `${tag}_a`, fullName: "Zed Alpha" }), ["admin"]);
    const b = await users().create(newUser({ username: `${tag}xa`, status: "suspended" }), ["user"]);
    const c = await users().create(newUser({ email: `${tag.toUpperCase()}@EXAMPLE.com` }), ["user"]);
    await users().update(c.id, { deletedAt: new Date() });
    const ids = async (query: Partial<UserListQuery>) =>
      (await users().list(listQuery(query))).items.map((i) => i.user.id);

    expect(await ids({ search: tag.toUpperCase() })).toEqual([a.id, b.id]);
    expect(await ids({ search: `${tag}_` })).toEqual([a.id]);
    expect(await ids({ search: `${tag}%` })).toEqual([]);
    expect(await ids({ search: "zed alpha" })).toEqual([a.id]);
    expect((await ids({ search: tag, includeDeleted: true })).sort()).toEqual([a.id, b.id, c.id].sort());
    expect(await ids({ search: tag, role: "admin" })).toEqual([a.id]);
    expect(await ids({ search: tag, status: "suspended" })).toEqual([b.id]);
    expect(await ids({ search: tag, isActive: true })).toEqual([a.id]);
    expect(await ids({ search: tag, isActive: false, includeDeleted: true }).then((r) => r.sort())).toEqual(
      [b.id, c.id].sort(),
    );
    expect(await ids({ search: tag, order: "desc" })).toEqual([b.id, a.id]);
    const page = await users().list(listQuery({ search: tag, perPage: 1, page: 2 }));
    expect(page.totalItems).toBe(2);
    expect(page.items.map((item) => item.user.id)).toEqual([b.id]);
    expect(page.items[0]?.roleNames).toEqual(["user"]);
  });

  it("serves the search from the trigram index", async () => {
    const plan = await database.handle.db.transaction(async (tx) => {
      await tx.execute(sql`SET LOCAL enable_seqscan = off`);
      const search = tx
        .select({ id: usersTable.id })
        .from(usersTable)
        .where(ilike(userSearchText(usersTable), "%ada%"));
      // The repository's own expression, as Drizzle renders it, with its one parameter inlined.
      const query = search.toSQL().sql.replace("$1", "'%ada%'");
      const rows = await tx.execute(sql.raw(`EXPLAIN ${query}`));
      return rowsOf<Record<string, string>>(rows)
        .map((row) => Object.values(row).join(""))
        .join("\n");
    });
    expect(plan).toContain("idx_users_search_trgm");
  });

  it("counts users by status, role and registration window; deleted users only as deleted", async () => {
    const before = await users().statistics(new Date());
    const live = await users().create(newUser({ status: "pending_approval" }), ["admin"]);
    const gone = await users().create(newUser(), ["admin"]);
    await users().update(gone.id, { deletedAt: new Date() });
    const after = await users().statistics(new Date(Date.now() + 1000));
    expect(after.totalUsers - before.totalUsers).toBe(1);
    expect(after.byStatus.pending_approval - before.byStatus.pending_approval).toBe(1);
    expect(after.inactive - before.inactive).toBe(1);
    expect(after.deleted - before.deleted).toBe(1);
    expect((after.byRole.admin ?? 0) - (before.byRole.admin ?? 0)).toBe(1);
    expect(after.registrations.last24h - before.registrations.last24h).toBe(2);
    expect(after.byRole).toHaveProperty("super_admin");
    expect((await users().findById(live.id))?.user.status).toBe("pending_approval");
  });

  it("names roles with their permissions and leaves unknown names out", async () => {
    const roles = await users().rolesNamed(["admin", "no_such_role"]);
    expect(roles.map((role) => role.name)).toEqual(["admin"]);
    expect(roles[0]?.permissions).toContain("users:write");
    expect(await users().rolesNamed([])).toEqual([]);
  });
});
