import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, loadConfig, RATE_LIMIT_ENV } from "@gatehouse/infrastructure";
import { createTestDatabase } from "@gatehouse/infrastructure/testing";
import { createServer } from "../../src/compose.js";
import { TEST_JWT_SECRET, TestClock, type TestServer } from "./test-server.js";

export type ObservedServer = Pick<TestServer, "server" | "app" | "clock" | "close">;

/**
 * The real composition opening its own database (embedded PGlite in a temporary DATA_DIR, or a
 * private PostgreSQL database by URL), so the driver wrapper that feeds query metrics is in
 * place, unlike `startTestServer`'s already-open test databases.
 */
export async function startObservedServer(
  env: Record<string, string>,
  kind: "pglite" | "postgres" = "pglite",
): Promise<ObservedServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "gh-obs-"));
  const postgres = kind === "postgres" ? await createTestDatabase("postgres") : undefined;
  const config = loadConfig(
    {
      JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: "silent",
      REQUIRE_EMAIL_VERIFICATION: "false",
      DATA_DIR: dataDir,
      ...(postgres?.url ? { DATABASE_URL: postgres.url, DB_AUTO_MIGRATE: "false" } : {}),
      // Out of reach, as in `startTestServer`; a test sets the one it exercises.
      ...Object.fromEntries(Object.values(RATE_LIMIT_ENV).map((prefix) => [`${prefix}_REQUESTS`, "1000000"])),
      LOGIN_DELAY_MAX_SECONDS: "0",
      ...env,
    },
    dataDir,
  );
  const clock = new TestClock();
  const server = await createServer(config, createLogger({ level: "silent", pretty: false }), { clock });
  return {
    server,
    app: server.app,
    clock,
    close: async () => {
      await server.close();
      await postgres?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
