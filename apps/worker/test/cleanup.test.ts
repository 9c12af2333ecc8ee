import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { type Database, tables } from "@gatehouse/infrastructure";
import { createTestDatabase, postgresTestUrl, type TestDatabase } from "@gatehouse/infrastructure/testing";
import postgres from "postgres";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runWorker } from "../src/run-worker.js";
import {
  captureIo,
  daysAgo,
  daysFromNow,
  deferred,
  emptyTables,
  insertAudit,
  insertToken,
  insertUser,
  postgresTitle,
  runCaptured,
  summaryOf,
  survivingAudit,
  survivingTokens,
} from "./support.js";

const LOCK_KEY = "hashtextextended('gatehouse.cleanup', 0)";

/** Seeds one row per retention case (defaults: tokens 30 days, audit 90 days) and names them. */
async function seedRetentionCases(db: Database) {
  const ada = await insertUser(db, "ada");
  const bob = await insertUser(db, "bob");
  const tokens = {
    expiredLongAgo: await insertToken(db, ada, { expiresAt: daysAgo(40) }),
    revokedLongAgo: await insertToken(db, ada, { expiresAt: daysFromNow(5), revokedAt: daysAgo(40) }),
    expiredRecently: await insertToken(db, bob, { expiresAt: daysAgo(10) }),
    rotatedRecently: await insertToken(db, bob, { expiresAt: daysFromNow(6), revokedAt: daysAgo(1) }),
    active: await insertToken(db, bob, { expiresAt: daysFromNow(7) }),
  };
  const audit = {
    old: await insertAudit(db, daysAgo(100)),
    insideRetention: await insertAudit(db, daysAgo(80)),
    recent: await insertAudit(db, daysAgo(1)),
  };
  return { tokens, audit };
}

const sorted = (ids: string[]) => [...ids].sort();

/** The cleanup job against one adapter; `run` hands the worker the database under test. */
function cleanupSuite(kind: "pglite" | "postgres") {
  let database: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    db = database.handle.db;
  });
  afterAll(async () => {
    await database?.drop();
  });
  beforeEach(async () => {
    await emptyTables(db);
  });

  /** PGlite is in memory, so it is passed in; PostgreSQL goes through DATABASE_URL like production. */
  async function run(extraEnv: Record<string, string> = {}) {
    const env = kind === "postgres" ? { DATABASE_URL: database.url, ...extraEnv } : extraEnv;
    const options = kind === "postgres" ? { cwd: tmpdir() } : { cwd: tmpdir(), database: database.handle };
    return runCaptured(["cleanup"], env, options);
  }

  it("deletes exactly the rows past retention and keeps the rest", async () => {
    const { tokens, audit } = await seedRetentionCases(db);
    const result = await run();

    expect(result.code).toBe(0);
    expect(result.stderr).toEqual([]);
    expect(summaryOf(result)).toMatchObject({
      job: "cleanup",
      skipped: false,
      refresh_tokens_deleted: 2,
      audit_entries_deleted: 1,
    });
    expect(await survivingTokens(db, Object.values(tokens))).toEqual(
      sorted([tokens.expiredRecently, tokens.rotatedRecently, tokens.active]),
    );
    expect(await survivingAudit(db, Object.values(audit))).toEqual(sorted([audit.insideRetention, audit.recent]));
  });

  it("finds nothing left on a second run", async () => {
    await seedRetentionCases(db);
    await run();
    const second = await run();
    expect(summaryOf(second)).toMatchObject({ skipped: false, refresh_tokens_deleted: 0, audit_entries_deleted: 0 });
  });

  it("takes the retention periods from the configuration", async () => {
    const { tokens, audit } = await seedRetentionCases(db);
    const result = await run({ REFRESH_TOKEN_RETENTION_DAYS: "5", AUDIT_LOG_RETENTION_DAYS: "30" });

    expect(summaryOf(result)).toMatchObject({ refresh_tokens_deleted: 3, audit_entries_deleted: 2 });
    expect(await survivingTokens(db, Object.values(tokens))).toEqual(sorted([tokens.rotatedRecently, tokens.active]));
    expect(await survivingAudit(db, Object.values(audit))).toEqual([audit.recent]);
  });

  it("deletes in batches until nothing is left (batch 2, 5 old rows each)", async () => {
    const user = await insertUser(db, "carol");
    for (let i = 0; i < 5; i++) {
      await insertToken(db, user, { expiresAt: daysAgo(60 + i) });
      await insertAudit(db, daysAgo(200 + i));
    }
    const keptToken = await insertToken(db, user, { expiresAt: daysFromNow(3) });
    const keptAudit = await insertAudit(db, daysAgo(2));

    const result = await run({ CLEANUP_BATCH_SIZE: "2" });

    expect(summaryOf(result)).toMatchObject({ refresh_tokens_deleted: 5, audit_entries_deleted: 5 });
    expect(await db.select().from(tables.refreshTokens)).toHaveLength(1);
    expect(await db.select().from(tables.auditLogs)).toHaveLength(1);
    expect(await survivingTokens(db, [keptToken])).toEqual([keptToken]);
    expect(await survivingAudit(db, [keptAudit])).toEqual([keptAudit]);
  });

  it("expires never-verified registrations past VERIFICATION_TTL_HOURS and deletes ended codes, once", async () => {
    const pending = async (name: string, createdAt: Date, codeExpiresAt?: Date) => {
      const [user] = await db
        .insert(tables.users)
        .values({
          username: name,
          email: `${name}@example.com`,
          passwordHash: "x",
          status: "pending_verification",
          createdAt,
        })
        .returning({ id: tables.users.id });
      const id = user?.id ?? "";
      if (codeExpiresAt !== undefined) {
        await db.insert(tables.oneTimeCodes).values({
          userId: id,
          purpose: "verify_email",
          email: `${name}@example.com`,
          codeHash: randomBytes(32).toString("hex"),
          tokenHash: randomBytes(32).toString("hex"),
          expiresAt: codeExpiresAt,
        });
      }
      return id;
    };
    const expired = await pending("expired", daysAgo(2), daysAgo(1));
    const noCode = await pending("nocode", daysAgo(2));
    const resent = await pending("resent", daysAgo(2), daysFromNow(0.5));
    const young = await pending("young", daysAgo(0.5), daysFromNow(0.5));
    await insertUser(db, "verified"); // active, old enough, never touched

    const result = await run({ VERIFICATION_TTL_HOURS: "24", CLEANUP_BATCH_SIZE: "1" });
    expect(summaryOf(result)).toMatchObject({ registrations_expired: 2, one_time_codes_deleted: 0 });
    const left = await db.select({ id: tables.users.id }).from(tables.users);
    expect(sorted(left.map((row) => row.id)).filter((id) => [expired, noCode, resent, young].includes(id))).toEqual(
      sorted([resent, young]),
    );
    const expiredAudit = await db.select().from(tables.auditLogs);
    expect(
      expiredAudit
        .filter((row) => row.action === "user.registration_expired")
        .map((row) => row.resourceId)
        .sort(),
    ).toEqual(sorted([expired, noCode]));
    // The freed email can be taken by a new row at once.
    await insertUser(db, "expired");
    expect(summaryOf(await run())).toMatchObject({ registrations_expired: 0 });
  });
}

describe("cleanup on PGlite", () => {
  cleanupSuite("pglite");
});

const serverUrl = postgresTestUrl();

describe.skipIf(serverUrl === undefined)(postgresTitle("cleanup on PostgreSQL", serverUrl), () => {
  cleanupSuite("postgres");
});

describe.skipIf(serverUrl === undefined)(postgresTitle("cleanup lock on PostgreSQL", serverUrl), () => {
  let database: TestDatabase;
  let db: Database;
  let other: postgres.Sql;

  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    db = database.handle.db;
    other = postgres(database.url ?? "", { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await other?.end();
    await database?.drop();
  });
  beforeEach(async () => {
    await emptyTables(db);
  });

  async function run() {
    const captured = captureIo();
    const env = { DATABASE_URL: database.url, DB_AUTO_MIGRATE: "false" };
    const code = await runWorker(["cleanup"], env, captured.io, { cwd: tmpdir() });
    return { code, ...captured };
  }

  it("reports skipped, exit 0, and deletes nothing while another session holds the lock", async () => {
    const { tokens, audit } = await seedRetentionCases(db);
    const held = await other.reserve();
    try {
      const [lock] = await held.unsafe(`SELECT pg_try_advisory_lock(${LOCK_KEY}) AS acquired`);
      expect(lock?.acquired).toBe(true);

      const skipped = await run();
      expect(skipped.code).toBe(0);
      expect(skipped.stderr).toEqual([]);
      expect(summaryOf(skipped)).toEqual({ job: "cleanup", skipped: true, reason: "another run holds the lock" });
      expect(await survivingTokens(db, Object.values(tokens))).toHaveLength(5);
      expect(await survivingAudit(db, Object.values(audit))).toHaveLength(3);
    } finally {
      await held.unsafe(`SELECT pg_advisory_unlock(${LOCK_KEY})`);
      held.release();
    }

    const ran = await run();
    expect(ran.code).toBe(0);
    expect(summaryOf(ran)).toMatchObject({ skipped: false, refresh_tokens_deleted: 2, audit_entries_deleted: 1 });
  });

  it("of two concurrent runs, exactly one does the work and the other reports skipped", async () => {
    const { tokens } = await seedRetentionCases(db);
    // Keep the first run inside its locked section: it blocks on a table lock the test holds.
    const tableLocked = deferred();
    const releaseTable = deferred();
    const holding = other.begin(async (tx) => {
      await tx`LOCK TABLE refresh_tokens IN ACCESS EXCLUSIVE MODE`;
      tableLocked.resolve();
      await releaseTable.promise;
    });
    await tableLocked.promise;

    const first = run();
    await waitForBlockedDelete(database.url ?? "");
    const second = await run();
    releaseTable.resolve();
    await holding;
    const done = await first;

    expect([done.code, second.code]).toEqual([0, 0]);
    expect(summaryOf(second)).toEqual({ job: "cleanup", skipped: true, reason: "another run holds the lock" });
    expect(summaryOf(done)).toMatchObject({ skipped: false, refresh_tokens_deleted: 2, audit_entries_deleted: 1 });
    expect(await survivingTokens(db, Object.values(tokens))).toHaveLength(3);
  });
});

/** Waits until some session's DELETE waits on a lock, i.e. a run is inside the cleanup lock. */
async function waitForBlockedDelete(url: string): Promise<void> {
  const watcher = postgres(url, { max: 1, onnotice: () => {} });
  try {
    for (let attempt = 0; attempt < 200; attempt++) {
      const rows = await watcher`
        SELECT count(*)::int AS waiting FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' AND query LIKE '%DELETE FROM%'`;
      if ((rows[0]?.waiting ?? 0) > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error("the first cleanup run never reached its DELETE");
  } finally {
    await watcher.end();
  }
}
