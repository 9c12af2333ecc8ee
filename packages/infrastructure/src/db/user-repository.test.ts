import { DomainError, type NewUser } from "@gatehouse/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from "../testing/test-database.js";
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
});
