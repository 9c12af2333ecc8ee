import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Clock, DEFAULT_RATE_LIMIT_POLICY } from "@gatehouse/domain";
import { createLogger, loadConfig, RATE_LIMIT_ENV, rowsOf } from "@gatehouse/infrastructure";
import {
  createTestDatabase,
  type TestDatabase,
  type TestDatabaseKind,
  testDatabaseKinds,
} from "@gatehouse/infrastructure/testing";
import { type SQL, sql } from "drizzle-orm";
import { createServer, type Server } from "../../src/compose.js";

export const TEST_JWT_SECRET = "test-secret-that-is-long-enough-for-hs256!!";

/** A clock tests can move forward. */
export class TestClock implements Clock {
  private offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}

export interface TestServer {
  readonly server: Server;
  readonly app: Server["app"];
  readonly clock: TestClock;
  readonly database: TestDatabase;
  query<T>(statement: SQL): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * Limits so high no test reaches them: most suites log in many times from one address (inject's
 * 127.0.0.1), the login delay off. The rate-limit suites ask for the configured limits (the production
 * defaults) instead.
 */
const RELAXED_RATE_LIMITS = {
  ...Object.fromEntries(Object.values(RATE_LIMIT_ENV).map((prefix) => [`${prefix}_REQUESTS`, "1000000"])),
  LOGIN_DELAY_MAX_SECONDS: "0",
};

const PRODUCTION_AUTH_LIMIT = {
  [`${RATE_LIMIT_ENV.auth}_REQUESTS`]: String(DEFAULT_RATE_LIMIT_POLICY.auth.limit),
};

export interface TestServerOptions {
  /** "configured": the limits of `env` or the production defaults; "relaxed" (default): out of reach. */
  readonly rateLimits?: "configured" | "relaxed";
}

/**
 * The real composition (real use cases, real adapters) on a private database, driven by `inject`.
 * Email verification is off unless a test opts in (`REQUIRE_EMAIL_VERIFICATION: "true"`), so
 * suites about other features can register and log in directly.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  kind: TestDatabaseKind = "pglite",
  options: TestServerOptions = {},
): Promise<TestServer> {
  // "configured" suites assert the production limits, which development relaxes for `auth`.
  const limits = options.rateLimits === "configured" ? PRODUCTION_AUTH_LIMIT : RELAXED_RATE_LIMITS;
  const database = await createTestDatabase(kind, { maxConnections: 20 });
  const config = loadConfig(
    {
      JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: "silent",
      DB_AUTO_MIGRATE: "false",
      REQUIRE_EMAIL_VERIFICATION: "false",
      ...limits,
      ...env,
    },
    mkdtempSync(join(tmpdir(), "gh-http-")),
  );
  const clock = new TestClock();
  const server = await createServer(config, createLogger({ level: "silent", pretty: false }), {
    database: database.handle,
    clock,
  });
  return {
    server,
    app: server.app,
    clock,
    database,
    query: async <T>(statement: SQL) => rowsOf<T>(await database.handle.db.execute(statement)),
    close: async () => {
      await server.close();
      if (kind === "postgres") await database.drop();
    },
  };
}

let counter = 0;
export function uniqueUser(prefix = "user") {
  counter += 1;
  const tag = `${prefix}${counter}_${Math.random().toString(36).slice(2, 7)}`;
  return { username: tag, email: `${tag}@example.com`, password: "Correct-Horse-9" };
}

export { sql, testDatabaseKinds };
