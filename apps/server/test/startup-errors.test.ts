import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { freeLoopbackPort } from "./support/private-postgres.js";
import { repoRoot, startServerProcess } from "./support/server-process.js";
import { TEST_JWT_SECRET } from "./support/test-server.js";

/**
 * Start-up failures as a newcomer meets them: the built server (`node apps/server/dist/main.js`)
 * started for real, its stderr read line by line. Each must name the variable and the cause on
 * one line instead of a driver's or a use case's generic text.
 */
interface Finished {
  readonly code: number | null;
  readonly stderr: string[];
}

function runToExit(env: Record<string, string>): Promise<Finished> {
  const dataDir = join(mkdtempSync(join(tmpdir(), "gh-startup-")), ".data");
  const { DATABASE_URL: _db, REDIS_URL: _redis, ...parentEnv } = process.env;
  const child = spawn(process.execPath, ["apps/server/dist/main.js"], {
    cwd: repoRoot,
    env: { ...parentEnv, DATA_DIR: dataDir, APP_HOST: "127.0.0.1", APP_PORT: "0", LOG_PRETTY: "false", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr: stderr.split("\n").filter((line) => line !== "") });
    });
  });
}

const ADMIN = { BOOTSTRAP_ADMIN_EMAIL: "root@example.com", BOOTSTRAP_ADMIN_USERNAME: "root" };

describe("start-up errors name the variable and the cause on one line", () => {
  // Regression: the bootstrap admin's refusal printed "failed to start: Input validation failed".
  it("BOOTSTRAP_ADMIN_PASSWORD too short", async () => {
    const result = await runToExit({ ...ADMIN, JWT_SECRET: TEST_JWT_SECRET, BOOTSTRAP_ADMIN_PASSWORD: "short" });
    expect(result.code).toBe(1);
    expect(result.stderr).toEqual([
      "gatehouse: invalid configuration: BOOTSTRAP_ADMIN_PASSWORD: must be 8-128 characters",
    ]);
  }, 90_000);

  it("BOOTSTRAP_ADMIN_EMAIL not an address", async () => {
    const result = await runToExit({
      ...ADMIN,
      JWT_SECRET: TEST_JWT_SECRET,
      BOOTSTRAP_ADMIN_EMAIL: "not-an-email",
      BOOTSTRAP_ADMIN_PASSWORD: "Quartz-Meadow-481",
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toEqual([
      "gatehouse: invalid configuration: BOOTSTRAP_ADMIN_EMAIL: must be a valid email address",
    ]);
  }, 90_000);

  it("DATABASE_URL at a closed port, and an unknown host", async () => {
    const port = await freeLoopbackPort();
    const refused = await runToExit({ JWT_SECRET: TEST_JWT_SECRET, DATABASE_URL: `postgres://u@127.0.0.1:${port}/db` });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toEqual([
      `gatehouse: failed to start: DATABASE_URL: cannot connect to PostgreSQL at 127.0.0.1:${port}: connection refused (is the server running?)`,
    ]);
    const unknown = await runToExit({
      JWT_SECRET: TEST_JWT_SECRET,
      DATABASE_URL: "postgres://u@no-such-host.invalid/db",
    });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toEqual([
      "gatehouse: failed to start: DATABASE_URL: cannot resolve the host of PostgreSQL at no-such-host.invalid (DNS lookup failed)",
    ]);
  }, 90_000);

  it.skipIf(process.env.DATABASE_URL === undefined)(
    "DATABASE_URL naming a database that does not exist",
    async () => {
      const url = new URL(process.env.DATABASE_URL as string);
      url.pathname = "/gh_no_such_database";
      const result = await runToExit({ JWT_SECRET: TEST_JWT_SECRET, DATABASE_URL: url.toString() });
      expect(result.code).toBe(1);
      expect(result.stderr).toEqual([
        'gatehouse: failed to start: DATABASE_URL: database "gh_no_such_database" does not exist',
      ]);
    },
    90_000,
  );

  it("warns about a misspelt variable with the likely intended name, before the configuration is refused", async () => {
    const result = await runToExit({
      JWT_SECRETS: TEST_JWT_SECRET,
      DATABSE_URL: "postgres://u@127.0.0.1/db",
      APP_PORT: "not-a-port",
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toEqual([
      "gatehouse: warning: DATABSE_URL is not a Gatehouse setting and is ignored: did you mean DATABASE_URL?",
      "gatehouse: warning: JWT_SECRETS is not a Gatehouse setting and is ignored: did you mean JWT_SECRET?",
      'gatehouse: invalid configuration: APP_PORT must be an integer from 0 to 65535 (got "not-a-port")',
    ]);
  }, 90_000);

  it("warns once when the SMTP server does not answer, and still serves", async () => {
    const port = await freeLoopbackPort();
    const server = await startServerProcess({ JWT_SECRET: TEST_JWT_SECRET, SMTP_URL: `smtp://127.0.0.1:${port}` });
    try {
      const deadline = Date.now() + 20_000;
      while (!server.output().includes("SMTP_URL:") && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const lines = server
        .output()
        .split("\n")
        .filter((line) => line.includes("SMTP_URL:"))
        .map((line) => JSON.parse(line) as { level: number; msg: string });
      expect(lines).toEqual([
        expect.objectContaining({
          level: 40,
          msg: `SMTP_URL: cannot reach 127.0.0.1:${port}: connection refused (is the mail server running?); mail stays queued and is retried`,
        }),
      ]);
      expect((await fetch(`${server.baseUrl}/health/live`)).status).toBe(200);
    } finally {
      server.child.kill("SIGTERM");
      await server.exited;
    }
  }, 90_000);
});
