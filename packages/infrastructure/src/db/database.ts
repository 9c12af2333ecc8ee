import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { observePglite, observePostgres, type QueryObserver } from "../observability/db-query-metrics.js";
import { lockDataDir } from "./data-dir-lock.js";
import { boundedClient } from "./query-deadline.js";
import { type Schema, schema } from "./tables.js";

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
  | {
      readonly kind: "postgres";
      readonly url: string;
      readonly maxConnections: number;
      /** Bound on every query and connection attempt; default DEFAULT_QUERY_TIMEOUT_MS. */
      readonly queryTimeoutMs?: number;
      /**
       * `pgbouncer` (DATABASE_POOLER): `url` reaches PostgreSQL through a transaction-pooling
       * PgBouncer, where consecutive transactions of one client may land on different server
       * connections, so nothing is prepared server-side.
       */
      readonly pooler?: "pgbouncer" | undefined;
      /**
       * A direct connection (DATABASE_MIGRATION_URL) for `withConnection`: migrations and job
       * locks hold session-level advisory locks, which a transaction pooler cannot keep.
       */
      readonly directUrl?: string | undefined;
    }
  /** `dataDir` undefined keeps the database in memory (tests). */
  | { readonly kind: "pglite"; readonly dataDir: string | undefined };

/** The rows of a raw `db.execute`, whichever driver ran it. */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/** The bound on every query when the target names none. */
export const DEFAULT_QUERY_TIMEOUT_MS = 5000;

/**
 * Reconnect delay in seconds after the `retries`-th failed attempt: from 50 ms doubling to a
 * 1 s cap, jittered so nodes (and a pool's connections) do not reconnect in step. The driver's
 * own default climbs to 20 s, which kept a node refusing requests long after PostgreSQL was
 * back (README, "When a dependency fails").
 */
export function reconnectBackoffSeconds(retries: number): number {
  const base = Math.min(1, 0.05 * 2 ** Math.min(retries, 5));
  return base / 2 + (Math.random() * base) / 2;
}

/**
 * Driver options shared by the pool and the one-connection clients. `statementTimeoutMs`
 * undefined leaves statements unbounded on the server (migrations, which may take longer).
 */
function driverOptions(queryTimeoutMs: number, statementTimeoutMs: number | undefined) {
  return {
    onnotice: () => {},
    // A connection attempt that is not answered (a frozen server, a lost route) fails in time.
    connect_timeout: Math.max(1, queryTimeoutMs / 1000),
    backoff: reconnectBackoffSeconds,
    connection: {
      application_name: "gatehouse",
      ...(statementTimeoutMs === undefined ? {} : { statement_timeout: statementTimeoutMs }),
    },
  };
}

type PostgresTarget = Extract<DatabaseTarget, { kind: "postgres" }>;

/** Never prepare: a statement prepared on one PgBouncer server connection is unknown on the next. */
const NEVER_PREPARE = () => false;

function openPostgres(target: PostgresTarget, queryTimeoutMs: number, observer?: QueryObserver): DatabaseHandle {
  const { url, maxConnections } = target;
  const pooled = target.pooler === "pgbouncer";
  const client = postgres(url, {
    max: maxConnections,
    ...driverOptions(queryTimeoutMs, queryTimeoutMs),
    ...(pooled ? { prepare: false } : {}),
  });
  const db = drizzlePostgres(
    // Timed inside the deadline: a query the deadline abandons is still counted when it ends.
    boundedClient(observer ? observePostgres(client, observer) : client, {
      timeoutMs: queryTimeoutMs,
      ...(pooled ? { prepare: NEVER_PREPARE } : {}),
    }),
    { schema },
  ) as unknown as Database;
  const directUrl = target.directUrl ?? url;
  return {
    kind: "postgres",
    db,
    async withConnection(work) {
      // A private one-connection client rather than `reserve()`: Drizzle cannot wrap a reserved
      // connection, and these callers (migrations, job locks) are rare. Their statements may
      // wait on another node's lock or build an index, so only connecting is bounded.
      const single = postgres(directUrl, {
        max: 1,
        ...driverOptions(queryTimeoutMs, undefined),
        ...(pooled && target.directUrl === undefined ? { prepare: false } : {}),
      });
      try {
        return await work(drizzlePostgres(single, { schema }) as unknown as Database);
      } finally {
        await single.end({ timeout: 5 });
      }
    },
    stats: () => ({
      driver: "postgres",
      max: maxConnections,
      query_timeout_ms: queryTimeoutMs,
      pooler: target.pooler ?? "none",
    }),
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
    ? Promise.resolve(openPostgres(target, target.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS, observer))
    : openPglite(target.dataDir, observer);
}

/** A one-round-trip liveness query. */
export async function pingDatabase(db: Database): Promise<void> {
  await db.execute(sql`SELECT 1`);
}
