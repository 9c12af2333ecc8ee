import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { DatabaseHandle } from "./database.js";

/** The committed SQL migrations at the repository root. */
export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL("../../../../migrations", import.meta.url));

// An arbitrary constant naming "Gatehouse migrations" in PostgreSQL's advisory-lock space.
const MIGRATION_LOCK_KEY = 0x6761_7465; // "gate"

/**
 * Applies pending migrations while holding a session-level advisory lock, so several
 * instances starting at once apply them exactly once; the others wait, then find nothing to do.
 */
export async function runMigrations(handle: DatabaseHandle, migrationsFolder = DEFAULT_MIGRATIONS_DIR): Promise<void> {
  await handle.withConnection(async (db) => {
    await db.execute(sql`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
    try {
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
