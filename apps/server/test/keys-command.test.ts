import { execFile } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
const run = promisify(execFile);

/** This process's environment without anything that would pick a database, a secret or a `.env`. */
function envFor(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { DATABASE_URL: _db, TEST_DATABASE_URL: _test, JWT_SECRET: _secret, ...rest } = process.env;
  return { ...rest, DATA_DIR: dataDir, LOG_LEVEL: "silent", ...extra };
}

describe("gatehouse keys (dist/cli.js as a child process)", () => {
  it("rotate makes a new active key and leaves the previous one verifying until its retire time; list shows both", async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`pnpm build\` first`);
    const cwd = mkdtempSync(join(tmpdir(), "gh-keys-cli-"));
    const env = envFor(join(cwd, "data"));
    expect((await run(process.execPath, [CLI, "keys", "list"], { env, cwd })).stdout).toBe(
      "no signing keys in the database (the server generates one at its first start)\n",
    );
    const first = (await run(process.execPath, [CLI, "keys", "rotate"], { env, cwd })).stdout;
    const [, firstKid] = /^([\w-]{43}) \(EdDSA\) signs new tokens\n$/.exec(first) ?? [];
    expect(firstKid).toBeDefined();

    const before = Date.now();
    const second = (await run(process.execPath, [CLI, "keys", "rotate"], { env, cwd })).stdout;
    const match = new RegExp(
      `^([\\w-]{43}) \\(EdDSA\\) signs new tokens\\n${firstKid} verifies until (\\S+), then retires\\n$`,
    ).exec(second);
    expect(match).not.toBeNull();
    // 15 min access tokens + 30 s tolerance + 30 s reload interval.
    const retireAt = new Date(match?.[2] ?? "").getTime();
    expect(retireAt - before).toBeGreaterThanOrEqual((900 + 30 + 30) * 1000);
    expect(retireAt - Date.now()).toBeLessThanOrEqual((900 + 30 + 30) * 1000);

    const list = (await run(process.execPath, [CLI, "keys", "list"], { env, cwd })).stdout.split("\n");
    expect(list[0]).toBe("kid  algorithm  state  created  activated  retire_after");
    expect(list[1]).toMatch(new RegExp(`^${match?.[1]}  EdDSA  active  \\S+  \\S+  -$`));
    expect(list[2]).toMatch(new RegExp(`^${firstKid}  EdDSA  verifying  \\S+  \\S+  ${match?.[2]}$`));
  }, 120_000);

  it("refuses in one line when the keys do not come from the database", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "gh-keys-cli-"));
    const env = envFor(join(cwd, "data"), { JWT_SECRET: "s".repeat(40) });
    const refused = await run(process.execPath, [CLI, "keys", "rotate"], { env, cwd }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(refused?.code).toBe(1);
    expect(refused?.stderr).toBe(
      "gatehouse: invalid configuration: the signing keys come from JWT_SECRET (HS256), not the database\n",
    );
  });
});
