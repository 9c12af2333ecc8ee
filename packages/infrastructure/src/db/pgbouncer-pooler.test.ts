import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/test-database.js";
import { rowsOf } from "./database.js";

/*
 * The PgBouncer tier's own mechanism (DATABASE_POOLER=pgbouncer): statements go through a
 * transaction-mode PgBouncer unprepared, and `withConnection` (migrations, job locks, with
 * their session-level advisory locks) reaches PostgreSQL directly. The repository contract
 * suites run through the same PgBouncer as their `pgbouncer` leg.
 */
describe.skipIf(!process.env.TEST_PGBOUNCER_URL)("PostgreSQL behind PgBouncer (transaction mode)", () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase("pgbouncer");
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("reports the pooler and answers many distinct and repeated statements without server-side prepares", async () => {
    expect(database.handle.stats()).toMatchObject({ pooler: "pgbouncer" });
    // Prepared statements would fail here as soon as two clients' transactions swap server
    // connections ("prepared statement … does not exist"); 200 in parallel make sure they do.
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        database.handle.db.execute(sql`SELECT ${index}::int AS n, count(*)::int AS users FROM users`),
      ),
    );
    expect(answers.map((result) => rowsOf<{ n: number }>(result)[0]?.n)).toEqual(
      Array.from({ length: 200 }, (_, index) => index),
    );
  });

  it("holds a session-level advisory lock across statements on withConnection: it is the direct connection", async () => {
    const held = await database.handle.withConnection(async (db) => {
      await db.execute(sql`SELECT pg_advisory_lock(424242)`);
      try {
        // A second statement on the same session still sees its own lock: no pooler between.
        const [row] = rowsOf<{ mine: boolean }>(
          await db.execute(sql`SELECT EXISTS (
            SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = 424242 AND pid = pg_backend_pid()
          ) AS mine`),
        );
        return row?.mine;
      } finally {
        await db.execute(sql`SELECT pg_advisory_unlock(424242)`);
      }
    });
    expect(held).toBe(true);
    const [port] = rowsOf<{ port: number }>(await database.handle.db.execute(sql`SELECT inet_server_port() AS port`));
    // Through PgBouncer the server still is the machine's PostgreSQL (the pooler forwards).
    expect(port?.port).toBe(Number(new URL(database.directUrl ?? "").port || "5432"));
  });
});
