import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { type DatabaseHandle, openDatabase } from "../db/database.js";
import { runMigrations } from "../db/migrate.js";
import { configuredPostgresUrl } from "./test-services.js";

/** A migrated database that belongs to one test file and is dropped afterwards. */
export interface TestDatabase {
  readonly kind: "pglite" | "postgres";
  readonly handle: DatabaseHandle;
  /** For postgres: the URL of the private database (to hand to a child process). */
  readonly url: string | undefined;
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

/** The adapters every contract suite runs against: PGlite always, PostgreSQL when configured. */
export function testDatabaseKinds(): Array<"pglite" | "postgres"> {
  return postgresTestUrl() === undefined ? ["pglite"] : ["pglite", "postgres"];
}

/**
 * A fresh database: an in-memory PGlite, or a new `gh_test_*` database on the configured
 * PostgreSQL server, so tests never touch development data and can run in parallel.
 */
export async function createTestDatabase(
  kind: "pglite" | "postgres",
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
  const handle = await openDatabase({
    kind: "postgres",
    url: url.toString(),
    maxConnections: options.maxConnections ?? 10,
  });
  await runMigrations(handle);
  return {
    kind,
    handle,
    url: url.toString(),
    async drop() {
      await handle.close();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
