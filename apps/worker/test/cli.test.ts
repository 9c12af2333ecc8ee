import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTestDatabase, postgresTestUrl, type TestDatabase } from "@gatehouse/infrastructure/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { daysAgo, insertAudit, insertToken, insertUser, postgresTitle } from "./support.js";

const MAIN = fileURLToPath(new URL("../dist/main.js", import.meta.url));

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment of this process without anything that would pick a database or a `.env`. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  if (extra.DATABASE_URL === undefined) delete env.DATABASE_URL;
  delete env.TEST_DATABASE_URL;
  return env;
}

function runCli(args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** stdout must be exactly one line of JSON; returns it parsed. */
function singleJsonLine(stdout: string): Record<string, unknown> {
  const lines = stdout.split("\n");
  expect(lines).toHaveLength(2);
  expect(lines[1]).toBe("");
  return JSON.parse(lines[0] ?? "") as Record<string, unknown>;
}

describe("dist/main.js as a child process", () => {
  let cwd: string;

  beforeAll(async () => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`pnpm build\` first`);
    cwd = await mkdtemp(join(tmpdir(), "gatehouse-worker-"));
  });
  afterAll(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it("runs cleanup on a fresh embedded PGlite in DATA_DIR: one JSON line, exit 0", async () => {
    const result = await runCli(["cleanup"], cleanEnv({ DATA_DIR: join(cwd, "data") }), cwd);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(singleJsonLine(result.stdout)).toMatchObject({
      job: "cleanup",
      skipped: false,
      refresh_tokens_deleted: 0,
      audit_entries_deleted: 0,
    });
  });

  it("prints usage and exits 2 without a job or with an unknown one", async () => {
    for (const args of [[], ["vacuum"]]) {
      const result = await runCli(args, cleanEnv({}), cwd);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toContain("usage: gatehouse-worker <job>");
    }
  });

  it("exits 1 with one line on stderr when the configuration is invalid", async () => {
    const result = await runCli(["cleanup"], cleanEnv({ CLEANUP_BATCH_SIZE: "0" }), cwd);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      'gatehouse-worker: invalid configuration: CLEANUP_BATCH_SIZE must be an integer from 1 to 100000 (got "0")\n',
    );
  });
});

describe.skipIf(postgresTestUrl() === undefined)(
  postgresTitle("dist/main.js against PostgreSQL", postgresTestUrl()),
  () => {
    let database: TestDatabase;

    beforeAll(async () => {
      database = await createTestDatabase("postgres");
    });
    afterAll(async () => {
      await database?.drop();
    });

    it("cleans the private test database given as DATABASE_URL: one JSON line, exit 0", async () => {
      const { db } = database.handle;
      const user = await insertUser(db, "dora");
      await insertToken(db, user, { expiresAt: daysAgo(45) });
      await insertAudit(db, daysAgo(120));

      const result = await runCli(["cleanup"], cleanEnv({ DATABASE_URL: database.url ?? "" }), tmpdir());

      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(singleJsonLine(result.stdout)).toMatchObject({
        job: "cleanup",
        skipped: false,
        refresh_tokens_deleted: 1,
        audit_entries_deleted: 1,
      });
    });

    it("exits 1 with one line on stderr when the database is unreachable", async () => {
      const url = new URL(database.url ?? "");
      url.pathname = "/gh_test_does_not_exist";
      const result = await runCli(["cleanup"], cleanEnv({ DATABASE_URL: url.toString() }), tmpdir());
      expect(result.code).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr).toMatch(/^gatehouse-worker: cleanup failed: .*does not exist\n$/);
    });
  },
);
