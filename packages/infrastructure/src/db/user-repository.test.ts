import { DomainError, UserChanges } from "@gatehouse/domain";
import { newUserInput as newUser, userRepositoryContract } from "@gatehouse/domain/testing";
import { ilike, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { drizzleHarness } from "../testing/drizzle-harness.js";
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from "../testing/test-database.js";
import { rowsOf } from "./database.js";
import { userSearchText, users as usersTable } from "./schema.js";
import { makeUnitOfWork, repositoriesOn } from "./unit-of-work.js";

// The port-level contract (shared with the in-memory fake), on every database this run has.
for (const kind of testDatabaseKinds({ pgbouncer: true })) userRepositoryContract(kind, drizzleHarness(kind));

// What only a database can show: races on the unique indexes, rows as SQL sees them, the plan.
describe.each(testDatabaseKinds({ pgbouncer: true }))("Drizzle UserRepository on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database.drop();
  });
  const users = () => repositoriesOn(database.handle.db).users;

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
    // A row soft-deleted outside the repository (by SQL) is hidden all the same.
    await database.handle.db.execute(sql`UPDATE users SET deleted_at = now() WHERE id = ${created.id}`);
    expect(await users().findByEmail("gone@example.com")).toBeUndefined();
    expect(await users().find(created.id)).toBeUndefined();
    const again = await users().create(newUser({ email: "gone@example.com", username: "gone_user" }), ["user"]);
    expect(again.id).not.toBe(created.id);
  });

  it("deletes permanently with roles and tokens, while audit entries keep the id", async () => {
    const created = await users().create(newUser(), ["admin"]);
    const repos = repositoriesOn(database.handle.db);
    await repos.refreshTokens.insert({
      userId: created.id,
      parentId: null,
      tokenHash: `h${Math.random().toString(36).slice(2)}`.padEnd(64, "0"),
      expiresAt: new Date(Date.now() + 60_000),
      sessionExpiresAt: new Date(Date.now() + 60_000),
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

  // Regression, "one clock": an administrator's update stamped updated_at with the database's
  // now() while self-service used the application's clock; every write now takes its instant.
  it("stamps updated_at with the application's instant, not the database clock", async () => {
    const created = await users().create(newUser(), ["user"]);
    const at = new Date("2030-01-02T03:04:05.000Z");
    await users().update(created.id, UserChanges.status("suspended", "x", at), at);
    const [row] = rowsOf<{ updated_at: Date | string }>(
      await database.handle.db.execute(sql`SELECT updated_at FROM users WHERE id = ${created.id}`),
    );
    expect(new Date(row?.updated_at ?? 0).toISOString()).toBe(at.toISOString());
  });

  it("maps purged_at onto the user", async () => {
    const created = await users().create(newUser(), ["user"]);
    await database.handle.db.execute(
      sql`UPDATE users SET deleted_at = now(), purged_at = '2030-01-01T00:00:00Z' WHERE id = ${created.id}`,
    );
    const found = await users().find(created.id, { includeDeleted: true });
    expect(found?.user.purgedAt?.toISOString()).toBe("2030-01-01T00:00:00.000Z");
  });
});
