import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "./support/server-process.js";
import { startTestServer, TEST_JWT_SECRET, type TestServer, uniqueUser } from "./support/test-server.js";

const dir = mkdtempSync(join(tmpdir(), "gh-breach-filter-"));
// Not on the common list and not built on the test user's names: only the filter can refuse it.
const BREACHED = "Tr1cky-Fjord-Lantern-88";
const sha1 = (password: string) => createHash("sha1").update(password, "utf8").digest("hex").toUpperCase();

/** `node apps/server/dist/cli.js|main.js …` run to its end, from the repository root, without a database URL. */
function run(script: string, args: string[], env: Record<string, string> = {}) {
  const { DATABASE_URL: _db, REDIS_URL: _redis, ...parentEnv } = process.env;
  const result = spawnSync(process.execPath, [`apps/server/dist/${script}`, ...args], {
    cwd: repoRoot,
    env: { ...parentEnv, DATA_DIR: join(dir, `data-${Math.random()}`), APP_PORT: "0", LOG_PRETTY: "false", ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr.split("\n").filter((l) => l !== "") };
}

// Breached passwords were accepted: an operator-built filter of Pwned Passwords hashes, built by
// the CLI from a HIBP-format file and loaded at start, refuses them when a password is set.
describe("gatehouse passwords build-filter and PASSWORD_BREACH_FILTER_FILE", () => {
  const filter = join(dir, "pwned.filter");
  let t: TestServer;
  beforeAll(async () => {
    const input = join(dir, "pwned.txt");
    const lines = [sha1(BREACHED), ...Array.from({ length: 999 }, (_, i) => sha1(`other-${i}`))];
    writeFileSync(input, lines.map((hash, i) => `${hash}:${1000 - i}`).join("\n"));
    const built = run("cli.js", ["passwords", "build-filter", "--input", input, "--output", filter]);
    expect(built.code, built.stderr.join("\n")).toBe(0);
    expect(built.stdout).toMatch(/^wrote .*pwned\.filter: 1000 hashes, \d+ bits .*k=10, false-positive rate 0\.001/);
    t = await startTestServer({ PASSWORD_BREACH_FILTER_FILE: filter });
  }, 90_000);
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("breached password: registration with a listed password is refused, another is accepted", async () => {
    const refused = await t.app.inject({
      method: "POST",
      url: "/api/v1/register",
      payload: { ...uniqueUser("breach"), password: BREACHED },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toMatchObject({
      code: "VALIDATION_ERROR",
      details: [{ field: "password", message: "has appeared in a data breach; choose another" }],
    });
    const accepted = await t.app.inject({
      method: "POST",
      url: "/api/v1/register",
      payload: { ...uniqueUser("breach"), password: `${BREACHED}x` },
    });
    expect(accepted.statusCode).toBe(201);
  });

  it("a missing or foreign filter file stops the start with one line naming the variable", () => {
    const foreign = join(dir, "foreign.filter");
    writeFileSync(foreign, "not a filter");
    for (const [file, cause] of [
      [join(dir, "missing.filter"), "cannot be read (ENOENT)"],
      [foreign, "not a Gatehouse breach filter"],
    ] as const) {
      const result = run("main.js", [], { JWT_SECRET: TEST_JWT_SECRET, PASSWORD_BREACH_FILTER_FILE: file });
      expect(result.code).toBe(1);
      expect(result.stderr).toHaveLength(1);
      expect(result.stderr[0]).toContain(
        `gatehouse: invalid configuration: PASSWORD_BREACH_FILTER_FILE: ${file}: ${cause}`,
      );
    }
  }, 240_000);
});
