import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { type Schema, schema } from "./schema.js";

/** A Drizzle handle on either driver; transactions are the same type, so repositories take either. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

export interface DatabaseHandle {
  readonly kind: "postgres" | "pglite";
  readonly db: Database;
  /** Runs `work` on one dedicated connection (session-level advisory locks need that). */
  withConnection<T>(work: (db: Database) => Promise<T>): Promise<T>;
  /** Pool figures for `/health/details`. */
  stats(): Record<string, unknown>;
  close(): Promise<void>;
}

export type DatabaseTarget =
  | { readonly kind: "postgres"; readonly url: string; readonly maxConnections: number }
  /** `dataDir` undefined keeps the database in memory (tests). */
  | { readonly kind: "pglite"; readonly dataDir: string | undefined };

/** The rows of a raw `db.execute`, whichever driver ran it. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

function openPostgres(url: string, maxConnections: number): DatabaseHandle {
  const client = postgres(url, {
    max: maxConnections,
    onnotice: () => {},
    connection: { application_name: "gatehouse" },
  });
  const db = drizzlePostgres(client, { schema }) as unknown as Database;
  return {
    kind: "postgres",
    db,
    async withConnection(work) {
      // A private one-connection client rather than `reserve()`: Drizzle cannot wrap a reserved
      // connection, and these callers (migrations, job locks) are rare.
      const single = postgres(url, { max: 1, onnotice: () => {}, connection: { application_name: "gatehouse" } });
      try {
        return await work(drizzlePostgres(single, { schema }) as unknown as Database);
      } finally {
        await single.end({ timeout: 5 });
      }
    },
    stats: () => ({ driver: "postgres", max: maxConnections }),
    close: () => client.end({ timeout: 5 }),
  };
}

async function openPglite(dataDir: string | undefined): Promise<DatabaseHandle> {
  // PGlite creates its own folder but not the parents (a fresh DATA_DIR).
  if (dataDir !== undefined) mkdirSync(dirname(dataDir), { recursive: true });
  const client = dataDir === undefined ? new PGlite() : new PGlite(dataDir);
  await client.waitReady;
  const db = drizzlePglite(client, { schema }) as unknown as Database;
  return {
    kind: "pglite",
    db,
    // PGlite is one connection already.
    withConnection: (work) => work(db),
    stats: () => ({ driver: "pglite", max: 1, data_dir: dataDir ?? "memory" }),
    close: () => client.close(),
  };
}

export function openDatabase(target: DatabaseTarget): Promise<DatabaseHandle> {
  return target.kind === "postgres"
    ? Promise.resolve(openPostgres(target.url, target.maxConnections))
    : openPglite(target.dataDir);
}

/** A one-round-trip liveness query. */
export async function pingDatabase(db: Database): Promise<void> {
  await db.execute(sql`SELECT 1`);
}
