import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, loadConfig, RATE_LIMIT_ENV } from "@gatehouse/infrastructure";
import { createServer } from "../../src/compose.js";
import { TEST_JWT_SECRET, TestClock, type TestServer } from "./test-server.js";

export type ObservedServer = Pick<TestServer, "server" | "app" | "clock" | "close">;

/**
 * The real composition opening its own database (embedded PGlite in a temporary DATA_DIR), so
 * the database wrapper that feeds query metrics is in place, unlike `startTestServer`'s
 * shared test databases.
 */
export async function startObservedServer(env: Record<string, string>): Promise<ObservedServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "gh-obs-"));
  const config = loadConfig(
    {
      JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: "silent",
      REQUIRE_EMAIL_VERIFICATION: "false",
      DATA_DIR: dataDir,
      // Out of reach, as in `startTestServer`; a test sets the one it exercises.
      ...Object.fromEntries(Object.values(RATE_LIMIT_ENV).map((prefix) => [`${prefix}_REQUESTS`, "1000000"])),
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
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
