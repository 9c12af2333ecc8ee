import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from "../testing/test-database.js";
import { rowsOf } from "./database.js";
import { makeJobLock, makeMaintenanceRepository } from "./maintenance.js";

const DAY = 86_400_000;

// The MaintenanceRepository and JobLock contracts, on every adapter.
describe.each(testDatabaseKinds())("MaintenanceRepository and JobLock contract on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database.drop();
  });
  const count = async (table: string) =>
    rowsOf<{ n: number }>(await database.handle.db.execute(sql.raw(`SELECT count(*)::int AS n FROM ${table}`)))[0]?.n;

  // Regression: postgres.js rejected the Date cutoff in the raw DELETE ("The string argument
  // must be of type string"), so cleanup failed on every real PostgreSQL run; PGlite accepted it.
  it("deletes ended refresh tokens and old audit entries before the cutoff, in batches", async () => {
    const old = new Date(Date.now() - 40 * DAY).toISOString();
    const recent = new Date(Date.now() - DAY).toISOString();
    const future = new Date(Date.now() + DAY).toISOString();
    await database.handle.db.execute(sql`
      WITH u AS (
        INSERT INTO users (username, email, password_hash) VALUES ('m', 'm@example.com', 'x') RETURNING id
      )
      INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at, revoked_at)
      SELECT u.id, gen_random_uuid(), md5(random()::text), v.expires_at::timestamptz, v.revoked_at::timestamptz
      FROM u, (VALUES (${old}, NULL), (${old}, NULL), (${future}, ${old}), (${future}, ${recent}), (${future}, NULL))
        AS v(expires_at, revoked_at)`);
    await database.handle.db.execute(sql`
      INSERT INTO audit_logs (action, resource_type, "timestamp")
      VALUES ('auth.login', 'user', ${old}), ('auth.login', 'user', ${old}), ('auth.login', 'user', ${recent})`);
    const maintenance = makeMaintenanceRepository(database.handle);
    const cutoff = new Date(Date.now() - 30 * DAY);
    expect(await maintenance.deleteRefreshTokensEndedBefore(cutoff, 2)).toBe(2);
    expect(await maintenance.deleteRefreshTokensEndedBefore(cutoff, 2)).toBe(1);
    expect(await maintenance.deleteRefreshTokensEndedBefore(cutoff, 2)).toBe(0);
    expect(await count("refresh_tokens")).toBe(2);
    expect(await maintenance.deleteAuditEntriesBefore(cutoff, 10)).toBe(2);
    expect(await count("audit_logs")).toBe(1);
  });

  it("keeps the rotated tokens of a live session, so a late replay is still detected", async () => {
    const old = new Date(Date.now() - 40 * DAY).toISOString();
    const future = new Date(Date.now() + DAY).toISOString();
    await database.handle.db.execute(sql`
      WITH u AS (
        INSERT INTO users (username, email, password_hash) VALUES ('live', 'live@example.com', 'x') RETURNING id
      ), f AS (SELECT gen_random_uuid() AS id)
      INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at, revoked_at, revoked_reason)
      SELECT u.id, f.id, md5(random()::text), v.expires_at::timestamptz, v.revoked_at::timestamptz, v.reason
      FROM u, f, (VALUES (${old}, ${old}, 'rotated'), (${future}, NULL, NULL)) AS v(expires_at, revoked_at, reason)`);
    const before = await count("refresh_tokens");
    await makeMaintenanceRepository(database.handle).deleteRefreshTokensEndedBefore(
      new Date(Date.now() - 30 * DAY),
      10,
    );
    expect(await count("refresh_tokens")).toBe(before);
  });

  it("runs a job under the lock and says so when another holder has it", async () => {
    const lock = makeJobLock(database.handle);
    let release: () => void = () => {};
    const holding = new Promise<void>((resolve) => {
      release = resolve;
    });
    let entered: () => void = () => {};
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const first = lock.tryRun("contract.job", async () => {
      entered();
      await holding;
      return "first";
    });
    await inside;
    if (kind === "postgres") {
      expect(await lock.tryRun("contract.job", async () => "second")).toEqual({ acquired: false });
    }
    release();
    expect(await first).toEqual({ acquired: true, result: "first" });
    expect(await lock.tryRun("contract.job", async () => "third")).toEqual({ acquired: true, result: "third" });
  });
});
