import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres, { type Sql } from "postgres";
import { observePglite, observePostgres, type QueryObserver } from "../observability/db-query-metrics.js";
import { lockDataDir } from "./data-dir-lock.js";
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

/**
 * Drizzle runs every query through `unsafe(…, { prepare: false })`, so PostgreSQL parses and
 * plans each one anew; for the five-table join behind `me` that planning costs ~7x the
 * execution. This makes every query (and every query inside a transaction) a prepared
 * statement, which postgres.js caches per connection by its text. Drizzle generates the same
 * text for the same query shape, so the cache stays as small as the set of shapes.
 */
function alwaysPrepared<T extends Sql>(client: T): T {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === "unsafe") {
        return (query: string, parameters?: unknown[], options?: Record<string, unknown>) =>
          target.unsafe(query, parameters as never, { ...options, prepare: true });
      }
      if (property === "begin") {
        return (...args: unknown[]) => {
          const work = args.pop() as (tx: Sql) => unknown;
          return (target.begin as (...a: unknown[]) => unknown)(...args, (tx: Sql) => work(alwaysPrepared(tx)));
        };
      }
      return Reflect.get(target, property, receiver);
    },
  });
}

function openPostgres(url: string, maxConnections: number, observer?: QueryObserver): DatabaseHandle {
  const client = postgres(url, {
    max: maxConnections,
    onnotice: () => {},
    connection: { application_name: "gatehouse" },
  });
  const prepared = alwaysPrepared(client);
  const db = drizzlePostgres(observer ? observePostgres(prepared, observer) : prepared, {
    schema,
  }) as unknown as Database;
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

async function openPglite(dataDir: string | undefined, observer?: QueryObserver): Promise<DatabaseHandle> {
  // PGlite creates its own folder but not the parents (a fresh DATA_DIR).
  if (dataDir !== undefined) mkdirSync(dirname(dataDir), { recursive: true });
  const unlock = dataDir === undefined ? () => {} : lockDataDir(dataDir);
  let client: PGlite;
  try {
    // Extensions the migrations create must be loaded into PGlite's build first.
    const options = { extensions: { pg_trgm } };
    client = dataDir === undefined ? new PGlite(options) : new PGlite(dataDir, options);
    await client.waitReady;
  } catch (error) {
    unlock();
    throw error;
  }
  const db = drizzlePglite(observer ? observePglite(client, observer) : client, { schema }) as unknown as Database;
  return {
    kind: "pglite",
    db,
    // PGlite is one connection already.
    withConnection: (work) => work(db),
    stats: () => ({ driver: "pglite", max: 1, data_dir: dataDir ?? "memory" }),
    close: async () => {
      try {
        await client.close();
      } finally {
        unlock();
      }
    },
  };
}

/** `observer` hears of every statement the handle's Drizzle runs (query metrics). */
export function openDatabase(target: DatabaseTarget, observer?: QueryObserver): Promise<DatabaseHandle> {
  return target.kind === "postgres"
    ? Promise.resolve(openPostgres(target.url, target.maxConnections, observer))
    : openPglite(target.dataDir, observer);
}

/** A one-round-trip liveness query. */
export async function pingDatabase(db: Database): Promise<void> {
  await db.execute(sql`SELECT 1`);
}
