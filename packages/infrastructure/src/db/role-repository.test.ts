import { DomainError, type RoleRepository } from "@gatehouse/domain";
import { roleRepositoryContract } from "@gatehouse/domain/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { drizzleHarness } from "../testing/drizzle-harness.js";
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from "../testing/test-database.js";
import { makeUnitOfWork, repositoriesOn } from "./unit-of-work.js";

function unique(prefix: string): string {
  return `${prefix}_${Math.random().toString(36).slice(2, 10)}`;
}

// The port-level contract (shared with the in-memory fake), on every database this run has.
for (const kind of testDatabaseKinds({ pgbouncer: true })) roleRepositoryContract(kind, drizzleHarness(kind));

// What only a database shows: a concurrent creation, a row lock held until commit.
describe.each(testDatabaseKinds({ pgbouncer: true }))("Drizzle RoleRepository on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database.drop();
  });
  const repos = () => repositoriesOn(database.handle.db);
  const roles = (): RoleRepository => repos().roles;

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
