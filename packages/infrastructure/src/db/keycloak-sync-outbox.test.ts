import { randomBytes } from "node:crypto";
import type { KeycloakSyncQueue } from "@gatehouse/domain";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeSecretBox } from "../security/secret-box.js";
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from "../testing/test-database.js";
import { rowsOf } from "./database.js";
import { makeKeycloakSyncQueue, makeKeycloakSyncUnitOfWork } from "./keycloak-sync-outbox.js";
import { makeMaintenanceRepository } from "./maintenance.js";
import { repositoriesOn } from "./unit-of-work.js";

const box = makeSecretBox([{ id: "k1", key: randomBytes(32) }], "keycloak-sync");

describe.each(testDatabaseKinds())("Keycloak sync outbox on %s", (kind) => {
  let database: TestDatabase;
  let queue: KeycloakSyncQueue;
  const t0 = new Date("2030-01-01T00:00:00Z");
  const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
  const lease = at(60);
  beforeAll(async () => {
    database = await createTestDatabase(kind, { maxConnections: 10 });
    queue = makeKeycloakSyncQueue(database.handle.db, box);
  });
  afterAll(async () => {
    await database.drop();
  });

  const uow = () => makeKeycloakSyncUnitOfWork(database.handle.db, { sync: box, sessions: box });
  let serial = 0;
  async function newUser(): Promise<string> {
    serial += 1;
    const user = await repositoriesOn(database.handle.db).users.create(
      {
        username: `kc${serial}`,
        email: `kc${serial}@example.com`,
        passwordHash: "!password-reset-required",
        fullName: "Ada Lovelace",
        phoneNumber: null,
        status: "pending_verification",
        emailVerifiedAt: null,
        keycloakSyncStatus: "pending",
      },
      [],
    );
    return user.id;
  }
  async function rowsFor(userId: string) {
    return rowsOf<Record<string, unknown>>(
      await database.handle.db.execute(sql`SELECT * FROM keycloak_sync_operations WHERE user_id = ${userId}`),
    );
  }
  async function syncStatusOf(userId: string) {
    const [row] = rowsOf<{ keycloak_sync_status: string | null }>(
      await database.handle.db.execute(sql`SELECT keycloak_sync_status FROM users WHERE id = ${userId}`),
    );
    return row?.keycloak_sync_status;
  }
  async function makeDue(userId: string) {
    await database.handle.db.execute(
      sql`UPDATE keycloak_sync_operations SET next_attempt_at = ${t0.toISOString()} WHERE user_id = ${userId}`,
    );
  }
  async function claimFor(userId: string, now = at(1)) {
    const claims = await queue.claimDue(now, 100, lease);
    return claims.filter((claim) => claim.userId === userId);
  }

  it("queues nothing when the surrounding transaction rolls back", async () => {
    const userId = await newUser();
    const failure = new Error("the local write failed after the push was queued");
    await expect(
      uow().run(async (tx) => {
        await tx.keycloakSync.push(userId, "correct horse battery");
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await rowsFor(userId)).toEqual([]);
  });

  it("keeps a queued password sealed at rest and opens it for the claim", async () => {
    const userId = await newUser();
    await uow().run((tx) => tx.keycloakSync.push(userId, "correct horse battery"));
    const [row] = await rowsFor(userId);
    expect(row?.operation).toBe("push");
    expect(String(row?.secret_ciphertext)).not.toContain("correct horse");
    await makeDue(userId);
    const [claim] = await claimFor(userId);
    expect(claim).toMatchObject({ operation: "push", attempt: 1, password: "correct horse battery" });
  });

  it("coalesces pushes of one user into one row that keeps the newest password", async () => {
    const userId = await newUser();
    await uow().run((tx) => tx.keycloakSync.push(userId, "first password here"));
    await uow().run((tx) => tx.keycloakSync.push(userId));
    expect(await rowsFor(userId)).toHaveLength(1);
    await uow().run((tx) => tx.keycloakSync.push(userId, "second password here"));
    await makeDue(userId);
    const claims = await claimFor(userId);
    expect(claims).toHaveLength(1);
    expect(claims[0]?.password).toBe("second password here");
  });

  it("leases a claim: not due again until the lease ends, and never claimed twice at once", async () => {
    const userIds = await Promise.all(Array.from({ length: 6 }, () => newUser()));
    for (const userId of userIds) await uow().run((tx) => tx.keycloakSync.push(userId));
    await Promise.all(userIds.map(makeDue));
    const runs = await Promise.all(Array.from({ length: 4 }, () => queue.claimDue(at(1), 3, lease)));
    const claimed = runs.flat().filter((claim) => userIds.includes(claim.userId ?? ""));
    expect(claimed).toHaveLength(6);
    expect(new Set(claimed.map((claim) => claim.id)).size).toBe(6);
    expect(await claimFor(userIds[0] as string, at(59))).toEqual([]);
    expect(await claimFor(userIds[0] as string, at(61))).toHaveLength(1);
  });

  it("completing retires the operation and its password, and marks the user synced", async () => {
    const userId = await newUser();
    await uow().run((tx) => tx.keycloakSync.push(userId, "correct horse battery"));
    await makeDue(userId);
    const [claim] = await claimFor(userId);
    await queue.complete(claim as NonNullable<typeof claim>);
    expect(await rowsFor(userId)).toEqual([]);
    expect(await syncStatusOf(userId)).toBe("synced");
  });

  it("a push queued again after the claim survives the stale claim's completion", async () => {
    const userId = await newUser();
    await uow().run((tx) => tx.keycloakSync.push(userId));
    await makeDue(userId);
    const [stale] = await claimFor(userId);
    await uow().run((tx) => tx.keycloakSync.push(userId));
    await queue.complete(stale as NonNullable<typeof stale>);
    expect(await rowsFor(userId)).toHaveLength(1);
    expect(await syncStatusOf(userId)).toBe("pending");
    const [fresh] = await claimFor(userId);
    expect(fresh?.id).not.toBe(stale?.id);
    await queue.complete(fresh as NonNullable<typeof fresh>);
    expect(await syncStatusOf(userId)).toBe("synced");
  });

  it("a retry is not due before its time; giving up drops the row and marks the user failed", async () => {
    const userId = await newUser();
    await uow().run((tx) => tx.keycloakSync.push(userId, "correct horse battery"));
    await makeDue(userId);
    const [first] = await claimFor(userId);
    await queue.scheduleRetry(first as NonNullable<typeof first>, at(30), "Keycloak is unavailable");
    expect((await rowsFor(userId))[0]?.last_error).toBe("Keycloak is unavailable");
    expect(await claimFor(userId, at(29))).toEqual([]);
    const [second] = await claimFor(userId, at(31));
    expect(second?.attempt).toBe(2);
    // The first claim is stale now: its outcome is ignored.
    await queue.giveUp(first as NonNullable<typeof first>, "stale");
    expect(await rowsFor(userId)).toHaveLength(1);
    await queue.giveUp(second as NonNullable<typeof second>, "an account holds the email");
    expect(await rowsFor(userId)).toEqual([]);
    expect(await syncStatusOf(userId)).toBe("failed");
  });

  it("a removal drops the user's queued push and queues the delete", async () => {
    const userId = await newUser();
    await uow().run((tx) => tx.keycloakSync.push(userId, "correct horse battery"));
    await uow().run((tx) => tx.keycloakSync.remove(userId, "kc-account-1"));
    const rows = await rowsFor(userId);
    expect(rows.map((row) => [row.operation, row.keycloak_id, row.secret_ciphertext])).toEqual([
      ["delete", "kc-account-1", null],
    ]);
  });

  it("the worker's deletion of expired registrations queues their Keycloak removal in the same statement", async () => {
    const userId = await newUser();
    await uow().run((tx) => tx.keycloakSync.push(userId, "correct horse battery"));
    await database.handle.db.execute(
      sql`UPDATE users SET created_at = now() - interval '30 days', keycloak_id = 'kc-expired' WHERE id = ${userId}`,
    );
    const maintenance = makeMaintenanceRepository(database.handle);
    let deleted = 0;
    for (let round = 0; round < 20 && deleted === 0; round += 1) {
      await maintenance.deleteExpiredRegistrations(new Date(Date.now() - 86_400_000), new Date(), 50);
      deleted = (await syncStatusOf(userId)) === undefined ? 1 : 0;
    }
    expect(await syncStatusOf(userId)).toBeUndefined();
    const rows = await rowsFor(userId);
    expect(rows.map((row) => [row.operation, row.keycloak_id])).toEqual([["delete", "kc-expired"]]);
  });
});
