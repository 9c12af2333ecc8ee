import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { postgresTestUrl } from "../testing/test-database.js";
import { openDatabase } from "./database.js";
import { describeDatabaseFailure } from "./database-failure.js";
import { runMigrations } from "./migrate.js";

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => probe.once("listening", resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** What starting up (migrations first) fails with on `url`. */
async function startupFailure(url: string): Promise<unknown> {
  const handle = await openDatabase({ kind: "postgres", url, maxConnections: 1, queryTimeoutMs: 2000 });
  try {
    await runMigrations(handle);
  } catch (error) {
    return error;
  } finally {
    await handle.close();
  }
  throw new Error("expected start-up to fail");
}

describe("describeDatabaseFailure", () => {
  it("names DATABASE_URL, host and port when nothing listens (not the failed advisory-lock query)", async () => {
    const port = await freePort();
    const error = await startupFailure(`postgres://gatehouse:secret-pw@127.0.0.1:${port}/gatehouse`);
    const line = describeDatabaseFailure(error);
    expect(line).toBe(
      `DATABASE_URL: cannot connect to PostgreSQL at 127.0.0.1:${port}: connection refused (is the server running?)`,
    );
    expect(line).not.toContain("secret-pw");
  });

  it.skipIf(postgresTestUrl() === undefined)("passes on the server's reason for an unknown database", async () => {
    const url = new URL(postgresTestUrl() as string);
    url.pathname = "/gh_faults_no_such_database";
    expect(describeDatabaseFailure(await startupFailure(url.toString()))).toBe(
      'DATABASE_URL: database "gh_faults_no_such_database" does not exist',
    );
  });

  it("leaves errors that are not connection failures alone", () => {
    expect(describeDatabaseFailure(new Error("duplicate key"))).toBeUndefined();
    expect(describeDatabaseFailure("thrown string")).toBeUndefined();
  });
});
