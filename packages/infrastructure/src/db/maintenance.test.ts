import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from "../testing/test-database.js";
import { rowsOf } from "./database.js";
import { makeJobLock, makeMaintenanceRepository } from "./maintenance.js";

const DAY = 86_400_000;

// The MaintenanceRepository and JobLock contracts, on every adapter.
describe.each(testDatabaseKinds({ pgbouncer: true }))("MaintenanceRepository and JobLock contract on %s", (kind) => {
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

  it("deletes expired never-verified registrations with an audit row each, and ended codes and old throttle rows", async () => {
    const old = new Date(Date.now() - 3 * DAY).toISOString();
    const future = new Date(Date.now() + DAY).toISOString();
    await database.handle.db.execute(sql`
      INSERT INTO users (username, email, password_hash, status, created_at) VALUES
        ('exp1', 'exp1@example.com', 'x', 'pending_verification', ${old}),
        ('exp2', 'exp2@example.com', 'x', 'pending_verification', ${old}),
        ('renewed', 'renewed@example.com', 'x', 'pending_verification', ${old}),
        ('young', 'young@example.com', 'x', 'pending_verification', now()),
        ('oldactive', 'oldactive@example.com', 'x', 'active', ${old})`);
    await database.handle.db.execute(sql`
      INSERT INTO one_time_codes (user_id, purpose, email, code_hash, token_hash, expires_at, used_at)
      SELECT id, 'verify_email', email, md5(random()::text), md5(random()::text),
             CASE WHEN username = 'renewed' THEN ${future}::timestamptz ELSE ${old}::timestamptz END,
             CASE WHEN username = 'oldactive' THEN ${old}::timestamptz END
      FROM users WHERE username IN ('exp1', 'renewed', 'oldactive')`);
    await database.handle.db.execute(sql`
      INSERT INTO mail_throttle (key, sent_at) VALUES ('k', ${old}), ('k', now())`);
    const maintenance = makeMaintenanceRepository(database.handle);
    const now = new Date();
    const cutoff = new Date(now.getTime() - DAY);
    expect(await maintenance.deleteExpiredRegistrations(cutoff, now, 1)).toBe(1);
    expect(await maintenance.deleteExpiredRegistrations(cutoff, now, 1)).toBe(1);
    expect(await maintenance.deleteExpiredRegistrations(cutoff, now, 1)).toBe(0);
    const left = rowsOf<{ username: string }>(
      await database.handle.db.execute(sql`SELECT username FROM users WHERE username IN
        ('exp1', 'exp2', 'renewed', 'young', 'oldactive') ORDER BY username`),
    );
    expect(left.map((row) => row.username)).toEqual(["oldactive", "renewed", "young"]);
    const audited = rowsOf<{ n: number }>(
      await database.handle.db.execute(
        sql`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'user.registration_expired'`,
      ),
    );
    expect(audited[0]?.n).toBe(2);
    // exp1's code went with its user; oldactive's used code is deleted here, renewed's live one stays.
    expect(await maintenance.deleteOneTimeCodesEndedBefore(now, 10)).toBe(1);
    expect(await count("one_time_codes")).toBe(1);
    expect(await maintenance.deleteThrottleRecordsBefore(cutoff, 10)).toBe(1);
    expect(await count("mail_throttle")).toBe(1);
  });
  it("deletes expired second-factor challenges and the assurance of sessions with no token left", async () => {
    const past = new Date(Date.now() - 60_000).toISOString();
    const future = new Date(Date.now() + 300_000).toISOString();
    const [user] = rowsOf<{ id: string }>(
      await database.handle.db.execute(sql`
        INSERT INTO users (username, email, password_hash) VALUES ('mfa-leftovers', 'mfa-leftovers@example.com', 'x')
        RETURNING id`),
    );
    const userId = user?.id ?? "";
    await database.handle.db.execute(sql`
      INSERT INTO mfa_challenges (token_hash, user_id, client_hash, amr, auth_time, expires_at)
      VALUES (md5('old-1'), ${userId}, 'c', '["pwd"]', now(), ${past}),
             (md5('old-2'), ${userId}, 'c', '["pwd"]', now(), ${past}),
             (md5('live'), ${userId}, 'c', '["pwd"]', now(), ${future})`);
    await database.handle.db.execute(sql`
      INSERT INTO webauthn_challenges (challenge_hash, ceremony, expires_at)
      VALUES (md5('ceremony-old'), 'passwordless', ${past}), (md5('ceremony-live'), 'passwordless', ${future})`);
    const live = "6f1e2d3c-4b5a-4968-8776-655443322110";
    const gone = "6f1e2d3c-4b5a-4968-8776-655443322111";
    await database.handle.db.execute(sql`
      INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at)
      VALUES (${userId}, ${live}, md5('live-session'), ${future})`);
    await database.handle.db.execute(sql`
      INSERT INTO session_assurance (session_id, user_id, amr, acr, auth_time)
      VALUES (${live}, ${userId}, '["pwd"]', 'aal1', now()), (${gone}, ${userId}, '["pwd"]', 'aal1', now())`);
    const maintenance = makeMaintenanceRepository(database.handle);
    expect(await maintenance.deleteSecondFactorChallengesExpiredBefore(new Date(), 10)).toBe(3);
    expect(await count("mfa_challenges")).toBe(1);
    expect(await count("webauthn_challenges")).toBe(1);
    expect(await maintenance.deleteSecondFactorChallengesExpiredBefore(new Date(), 10)).toBe(0);
    expect(await maintenance.deleteOrphanedSessionAssurance(10)).toBe(1);
    const [kept] = rowsOf<{ session_id: string }>(
      await database.handle.db.execute(sql`SELECT session_id FROM session_assurance WHERE user_id = ${userId}`),
    );
    expect(kept?.session_id).toBe(live);
  });
});
