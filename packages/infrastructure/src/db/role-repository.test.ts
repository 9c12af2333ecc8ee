import { DomainError, Permissions, type RoleRepository } from "@gatehouse/domain";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from "../testing/test-database.js";
import { users } from "./schema.js";
import { makeUnitOfWork, repositoriesOn } from "./unit-of-work.js";

function unique(prefix: string): string {
  return `${prefix}_${Math.random().toString(36).slice(2, 10)}`;
}

// The RoleRepository contract, run against every adapter (PGlite always, PostgreSQL when configured).
describe.each(testDatabaseKinds())("RoleRepository contract on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database.drop();
  });
  const repos = () => repositoriesOn(database.handle.db);
  const roles = (): RoleRepository => repos().roles;

  async function newUserId(): Promise<string> {
    const name = unique("u");
    const user = await repos().users.create(
      {
        username: name,
        email: `${name}@example.com`,
        passwordHash: "$argon2id$fake",
        fullName: null,
        phoneNumber: null,
        status: "active",
        emailVerifiedAt: null,
      },
      [],
    );
    return user.id;
  }

  async function permissionId(name: string): Promise<string> {
    const found = (await roles().listPermissions()).find((permission) => permission.name === name);
    if (found === undefined) throw new Error(`no permission ${name}`);
    return found.id;
  }

  it("lists the seeded roles with their permissions, system flags and live-holder counts", async () => {
    const listed = await roles().list();
    const superAdmin = listed.find((role) => role.name === "super_admin");
    const admin = listed.find((role) => role.name === "admin");
    expect(superAdmin?.isSystem).toBe(true);
    expect(superAdmin?.permissions.map((p) => p.name)).toEqual([...Permissions].sort());
    expect(admin?.permissions.map((p) => p.name)).toEqual([
      "audit:read",
      "roles:read",
      "users:delete",
      "users:read",
      "users:write",
    ]);
    expect(listed.map((role) => role.name)).toEqual([...listed.map((role) => role.name)].sort());
  });

  it("creates a role, refuses a duplicate name, and updates name and description", async () => {
    const name = unique("support");
    const created = await roles().create({ name, description: "First line" });
    expect(created).toMatchObject({ name, description: "First line", isSystem: false });
    await expect(roles().create({ name, description: null })).rejects.toMatchObject({ code: "DUPLICATE_ROLE" });

    const renamed = await roles().update(created.id, { name: `${name}_2`, description: null });
    expect(renamed).toMatchObject({ id: created.id, name: `${name}_2`, description: null });
    expect(renamed.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
    await expect(roles().update(created.id, { name: "admin", description: null })).rejects.toMatchObject({
      code: "DUPLICATE_ROLE",
    });
    await expect(
      roles().update("00000000-0000-4000-8000-000000000000", { name: unique("x"), description: null }),
    ).rejects.toMatchObject({ code: "ROLE_NOT_FOUND" });
  });

  it("lets exactly one of two concurrent creations of the same role name win", async () => {
    const name = unique("race");
    const results = await Promise.allSettled([
      roles().create({ name, description: null }),
      roles().create({ name, description: null }),
    ]);
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    const failed = results.find((result) => result.status === "rejected");
    expect((failed as PromiseRejectedResult).reason).toBeInstanceOf(DomainError);
  });

  it("grants permissions idempotently, revokes one, and finds the role with them", async () => {
    const role = await roles().create({ name: unique("grants"), description: null });
    const read = await permissionId("users:read");
    const audit = await permissionId("audit:read");
    expect((await roles().grantPermissions(role.id, [read, audit])).sort()).toEqual([read, audit].sort());
    expect(await roles().grantPermissions(role.id, [read])).toEqual([]);
    expect((await roles().findById(role.id))?.permissions.map((p) => p.name)).toEqual(["audit:read", "users:read"]);
    expect(await roles().revokePermission(role.id, read)).toBe(true);
    expect(await roles().revokePermission(role.id, read)).toBe(false);
    expect((await roles().lock(role.id))?.permissions.map((p) => p.name)).toEqual(["audit:read"]);
    expect(await roles().findById("00000000-0000-4000-8000-000000000000")).toBeUndefined();
  });

  it("creates permissions, refuses duplicates, and finds them by id", async () => {
    const name = `${unique("reports")}:export`;
    const created = await roles().createPermission({ name, description: "Export reports" });
    expect(created).toMatchObject({ name, description: "Export reports" });
    await expect(roles().createPermission({ name, description: null })).rejects.toMatchObject({
      code: "DUPLICATE_PERMISSION",
    });
    expect(
      (await roles().findPermissions([created.id, "00000000-0000-4000-8000-000000000000"])).map((p) => p.name),
    ).toEqual([name]);
    expect(await roles().findPermissions([])).toEqual([]);
  });

  it("assigns and unassigns roles idempotently, finds roles by id or name, and counts live holders", async () => {
    const role = await roles().create({ name: unique("holders"), description: null });
    const [alice, bob] = [await newUserId(), await newUserId()];
    expect(await roles().assign(alice, [role.id], null)).toEqual([role.id]);
    expect(await roles().assign(alice, [role.id], bob)).toEqual([]);
    expect(await roles().assign(bob, [role.id], alice)).toEqual([role.id]);
    expect(await roles().countHolders(role.id)).toBe(2);
    expect((await roles().list()).find((candidate) => candidate.id === role.id)?.userCount).toBe(2);

    // Soft-deleted holders no longer count.
    await database.handle.db.update(users).set({ deletedAt: new Date() }).where(eq(users.id, bob));
    expect(await roles().countHolders(role.id)).toBe(1);
    expect((await roles().findForAssignment({ ids: [role.id] })).map((r) => r.name)).toEqual([role.name]);
    expect((await roles().findForAssignment({ names: [role.name, "nope"] })).map((r) => r.id)).toEqual([role.id]);

    expect(await roles().unassign(alice, role.id)).toBe(true);
    expect(await roles().unassign(alice, role.id)).toBe(false);
    expect(await roles().countHolders(role.id)).toBe(0);
  });

  it("pages a role's holders in id order without gaps or repeats", async () => {
    const role = await roles().create({ name: unique("paged"), description: null });
    const ids: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      const id = await newUserId();
      ids.push(id);
      await roles().assign(id, [role.id], null);
    }
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: string[] = await roles().holders(role.id, after, 3);
      if (page.length === 0) break;
      expect(page.length).toBeLessThanOrEqual(3);
      seen.push(...page);
      after = page[page.length - 1] ?? null;
    }
    expect(seen).toEqual([...ids].sort());
  });

  it("deletes a role together with its assignments and grants", async () => {
    const role = await roles().create({ name: unique("doomed"), description: null });
    const user = await newUserId();
    await roles().assign(user, [role.id], null);
    await roles().grantPermissions(role.id, [await permissionId("users:read")]);
    await roles().delete(role.id);
    expect(await roles().findById(role.id)).toBeUndefined();
    expect(await roles().holders(role.id, null, 10)).toEqual([]);
    expect((await repos().users.find(user))?.roles).toEqual([]);
  });

  it.runIf(kind === "postgres")(
    "holds a role lock until the transaction ends, so check-then-act serializes",
    async () => {
      const role = await roles().create({ name: unique("locked"), description: null });
      const uow = makeUnitOfWork(database.handle.db);
      const order: string[] = [];
      let releaseFirst: () => void = () => {};
      const firstHolds = new Promise<void>((resolve) => {
        releaseFirst = resolve;
      });
      let firstLocked: () => void = () => {};
      const locked = new Promise<void>((resolve) => {
        firstLocked = resolve;
      });
      const first = uow.run(async (tx) => {
        await tx.roles.lock(role.id);
        firstLocked();
        await firstHolds;
        order.push("first commits");
      });
      await locked;
      const second = uow.run(async (tx) => {
        await tx.roles.lock(role.id);
        order.push("second locked");
      });
      // Give the second transaction every chance to (wrongly) get the lock first.
      await new Promise((resolve) => setTimeout(resolve, 100));
      releaseFirst();
      await Promise.all([first, second]);
      expect(order).toEqual(["first commits", "second locked"]);
    },
  );
});
