import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from "../testing/test-database.js";
import { type DatabaseHandle, openDatabase, rowsOf } from "./database.js";
import { countPendingMigrations, DEFAULT_MIGRATIONS_DIR, runMigrations } from "./migrate.js";

describe.each(testDatabaseKinds())("migrations on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database.drop();
  });

  it("creates the seven tables and seeds roles and permissions", async () => {
    const tables = rowsOf<{ table_name: string }>(
      await database.handle.db.execute(
        sql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
      ),
    ).map((row) => row.table_name);
    expect(tables).toEqual(
      expect.arrayContaining([
        "audit_logs",
        "permissions",
        "refresh_tokens",
        "role_permissions",
        "roles",
        "user_roles",
        "users",
      ]),
    );
    const grants = rowsOf<{ role: string; count: number }>(
      await database.handle.db.execute(sql`
        SELECT r.name AS role, count(rp.permission_id)::int AS count
        FROM roles r LEFT JOIN role_permissions rp ON rp.role_id = r.id GROUP BY r.name ORDER BY r.name`),
    );
    expect(grants).toEqual([
      // The first migration's five and users:import.
      { role: "admin", count: 6 },
      // The first migration's nine, chat:read/write/manage, system:read, users:write_email and
      // users:import; users read and write chat.
      { role: "super_admin", count: 15 },
      { role: "user", count: 2 },
    ]);
  });

  it("is idempotent and safe when several instances migrate at once", async () => {
    await Promise.all([runMigrations(database.handle), runMigrations(database.handle), runMigrations(database.handle)]);
    const [row] = rowsOf<{ count: number }>(
      await database.handle.db.execute(sql`SELECT count(*)::int AS count FROM roles`),
    );
    expect(row?.count).toBe(3);
  });

  it("rejects a status outside the state machine", async () => {
    await expect(
      database.handle.db.execute(
        sql`INSERT INTO users (username, email, password_hash, status) VALUES ('bad', 'bad@example.com', 'x', 'banned')`,
      ),
    ).rejects.toThrow();
  });
});

describe("migration progress", () => {
  it("reports the pending count before applying, and nothing once the database is current", async () => {
    const journal = JSON.parse(readFileSync(join(DEFAULT_MIGRATIONS_DIR, "meta", "_journal.json"), "utf8")) as {
      entries: unknown[];
    };
    const handle = await openDatabase({ kind: "pglite", dataDir: undefined });
    try {
      expect(await countPendingMigrations(handle.db)).toBe(journal.entries.length);
      const announced: number[] = [];
      await runMigrations(handle, undefined, { onPending: (count) => announced.push(count) });
      expect(announced).toEqual([journal.entries.length]);
      expect(await countPendingMigrations(handle.db)).toBe(0);
      await runMigrations(handle, undefined, { onPending: (count) => announced.push(count) });
      expect(announced).toEqual([journal.entries.length]);
      // The two newest forgotten: they count as pending, the older ones do not.
      await handle.db.execute(sql`
        DELETE FROM drizzle.__drizzle_migrations
        WHERE id IN (SELECT id FROM drizzle.__drizzle_migrations ORDER BY created_at DESC LIMIT 2)`);
      expect(await countPendingMigrations(handle.db)).toBe(2);
    } finally {
      await handle.close();
    }
  });
});

// Regression: Drizzle's migrator applies only journal entries whose `when` is newer than the newest
// applied one. Merged branches once left 0013 and 0016 with an older `when` than 0012 and 0015, so
// a database already at 0015 would have skipped 0016 (signing_keys) on upgrade and never created it.
describe("upgrading a database migration by migration", () => {
  const journalPath = join(DEFAULT_MIGRATIONS_DIR, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as {
    entries: Array<{ idx: number; when: number; tag: string }>;
  };

  it("keeps every journal entry newer than the one before it", () => {
    const out = journal.entries.filter((entry, i) => i > 0 && entry.when <= (journal.entries[i - 1]?.when ?? 0));
    expect(out.map((entry) => entry.tag)).toEqual([]);
  });

  it("reaches the same schema applied one migration at a time as all at once", async () => {
    const folder = mkdtempSync(join(tmpdir(), "gh-migrations-"));
    cpSync(DEFAULT_MIGRATIONS_DIR, folder, { recursive: true });
    const tablesOf = async (handle: DatabaseHandle) =>
      rowsOf<{ name: string }>(
        await handle.db.execute(
          sql`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
        ),
      ).map((row) => row.name);
    const fresh = await openDatabase({ kind: "pglite", dataDir: undefined });
    const stepped = await openDatabase({ kind: "pglite", dataDir: undefined });
    try {
      await runMigrations(fresh);
      // One step per migration, as a deployment upgraded at every release would have applied them.
      for (let count = 1; count <= journal.entries.length; count++) {
        writeFileSync(
          join(folder, "meta", "_journal.json"),
          JSON.stringify({ ...journal, entries: journal.entries.slice(0, count) }),
        );
        await runMigrations(stepped, folder);
      }
      expect(await countPendingMigrations(stepped.db)).toBe(0);
      expect(await tablesOf(stepped)).toEqual(await tablesOf(fresh));
    } finally {
      await fresh.close();
      await stepped.close();
      rmSync(folder, { recursive: true, force: true });
    }
  }, 120_000);
});
