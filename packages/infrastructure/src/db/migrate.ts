import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import { type Database, type DatabaseHandle, rowsOf } from "./database.js";

/** The committed SQL migrations at the repository root. */
export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL("../../../../migrations", import.meta.url));

// An arbitrary constant naming "Gatehouse migrations" in PostgreSQL's advisory-lock space.
const MIGRATION_LOCK_KEY = 0x6761_7465; // "gate"

/** Reports what a migration run is about to do, so a slow first start is not a silent one. */
export interface MigrationProgress {
  /** Called under the lock, before applying, when `count` migrations are pending. */
  onPending?(count: number): void;
}

/**
 * How many migrations of the folder's journal the database has not applied: the ones younger
 * than the newest applied, the rule Drizzle's migrator itself follows.
 */
export async function countPendingMigrations(db: Database, migrationsFolder = DEFAULT_MIGRATIONS_DIR): Promise<number> {
  const journal = JSON.parse(readFileSync(join(migrationsFolder, "meta", "_journal.json"), "utf8")) as {
    entries: ReadonlyArray<{ when: number }>;
  };
  const [table] = rowsOf<{ name: string | null }>(
    await db.execute(sql`SELECT to_regclass('drizzle.__drizzle_migrations')::text AS name`),
  );
  if (!table?.name) return journal.entries.length;
  const [row] = rowsOf<{ last: string | number | null }>(
    await db.execute(sql`SELECT max(created_at) AS last FROM drizzle.__drizzle_migrations`),
  );
  const last = row?.last === null || row?.last === undefined ? -1 : Number(row.last);
  return journal.entries.filter((entry) => entry.when > last).length;
}

/**
 * Applies pending migrations while holding a session-level advisory lock, so several
 * instances starting at once apply them exactly once; the others wait, then find nothing to do.
 */
export async function runMigrations(
  handle: DatabaseHandle,
  migrationsFolder = DEFAULT_MIGRATIONS_DIR,
  progress: MigrationProgress = {},
): Promise<void> {
  await handle.withConnection(async (db) => {
    await db.execute(sql`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
    try {
      if (progress.onPending) {
        const pending = await countPendingMigrations(db, migrationsFolder);
        if (pending > 0) progress.onPending(pending);
      }
      if (handle.kind === "pglite") {
        await migratePglite(db as unknown as PgliteDatabase, { migrationsFolder });
      } else {
        await migratePostgres(db as unknown as PostgresJsDatabase, { migrationsFolder });
      }
    } finally {
      await db.execute(sql`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY})`);
    }
  });
}
