import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { type DatabaseHandle, openDatabase } from "../db/database.js";
import { runMigrations } from "../db/migrate.js";
import { configuredPostgresUrl } from "./test-services.js";

/**
 * Where a suite's database lives: embedded PGlite, PostgreSQL, or PostgreSQL behind a
 * transaction-pooling PgBouncer (the global setup starts one when PostgreSQL is configured and
 * Debian's pgbouncer is installed, and publishes it as TEST_PGBOUNCER_URL).
 */
export type TestDatabaseKind = "pglite" | "postgres" | "pgbouncer";

/** A migrated database that belongs to one test file and is dropped afterwards. */
export interface TestDatabase {
  readonly kind: TestDatabaseKind;
  readonly handle: DatabaseHandle;
  /** For postgres: the URL of the private database (to hand to a child process); through PgBouncer for pgbouncer. */
  readonly url: string | undefined;
  /** For pgbouncer: the direct URL of the same database (DATABASE_MIGRATION_URL). */
  readonly directUrl?: string | undefined;
  drop(): Promise<void>;
}

/**
 * The server a test run may create databases on: TEST_DATABASE_URL, else DATABASE_URL, else
 * the postgres:15 container the global setup started when Docker answered (published as
 * TEST_DATABASE_URL); undefined means PGlite only.
 */
export function postgresTestUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return configuredPostgresUrl(env);
}

/**
 * The adapters every contract suite runs against: PGlite always, PostgreSQL when configured,
 * and with `{ pgbouncer: true }` PostgreSQL through PgBouncer when the global setup started one
 * (the repository suites; suites that hand the URL to a server process stay direct).
 */
export function testDatabaseKinds(): Array<"pglite" | "postgres">;
export function testDatabaseKinds(options: { readonly pgbouncer: true }): TestDatabaseKind[];
export function testDatabaseKinds(options?: { readonly pgbouncer: true }): TestDatabaseKind[] {
  if (postgresTestUrl() === undefined) return ["pglite"];
  const pooled = options?.pgbouncer === true && (process.env.TEST_PGBOUNCER_URL ?? "") !== "";
  return pooled ? ["pglite", "postgres", "pgbouncer"] : ["pglite", "postgres"];
}

/**
 * A fresh database: an in-memory PGlite, or a new `gh_test_*` database on the configured
 * PostgreSQL server, so tests never touch development data and can run in parallel.
 */
export async function createTestDatabase(
  kind: TestDatabaseKind,
  options: { maxConnections?: number } = {},
): Promise<TestDatabase> {
  if (kind === "pglite") {
    const handle = await openDatabase({ kind: "pglite", dataDir: undefined });
    await runMigrations(handle);
    return { kind, handle, url: undefined, drop: () => handle.close() };
  }
  const serverUrl = postgresTestUrl();
  if (serverUrl === undefined) throw new Error("set TEST_DATABASE_URL or DATABASE_URL to test on PostgreSQL");
  const name = `gh_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const bouncer = kind === "pgbouncer" ? process.env.TEST_PGBOUNCER_URL : undefined;
  if (kind === "pgbouncer" && bouncer === undefined) throw new Error("no PgBouncer runs (TEST_PGBOUNCER_URL)");
  const pooledUrl = bouncer === undefined ? undefined : new URL(`/${name}`, bouncer).toString();
  const handle = await openDatabase({
    kind: "postgres",
    url: pooledUrl ?? url.toString(),
    maxConnections: options.maxConnections ?? 10,
    ...(pooledUrl === undefined ? {} : { pooler: "pgbouncer" as const, directUrl: url.toString() }),
  });
  await runMigrations(handle);
  return {
    kind,
    handle,
    url: pooledUrl ?? url.toString(),
    ...(pooledUrl === undefined ? {} : { directUrl: url.toString() }),
    async drop() {
      await handle.close();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
