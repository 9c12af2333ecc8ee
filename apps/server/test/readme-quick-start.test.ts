import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, repoRoot, startServerProcess } from "./support/server-process.js";

const run = promisify(execFile);
const MARKER =
  "<!-- The block below is run as is against a started server by apps/server/test/readme-quick-start.test.ts. -->";

/** The README's quick-start flow: the fenced `sh` block right after the marker comment. */
function quickStartBlock(): string {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const after = readme.slice(readme.indexOf(MARKER) + MARKER.length);
  const block = /^\s*```sh\n([\s\S]*?)\n```/.exec(after)?.[1];
  if (readme.indexOf(MARKER) === -1 || block === undefined) throw new Error("README: quick-start block not found");
  return block;
}

/** Runs the block as a reader would paste it into bash, against `base`, as user `name`. */
async function runBlock(block: string, base: string, name: string): Promise<string[]> {
  const script = block
    .replace("BASE=http://localhost:8080", `BASE=${base}`)
    .replace("NAME=ada", `NAME=${name}`)
    .replace("EMAIL=ada@example.com", `EMAIL=${name}@example.com`);
  const { stdout } = await run("bash", ["-c", script], { timeout: 120_000 });
  return stdout.trim().split("\n");
}

// Regression: the quick start used to stop at login with a literal code, needed jq, and its
// sixth auth call in a minute met a 429. The server runs exactly as `pnpm start` does, with the
// development defaults (no rate-limit overrides), on a fresh embedded database.
describe("README quick start, pasted into bash", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServerProcess({});
  }, 120_000);
  afterAll(async () => {
    server.child.kill("SIGTERM");
    await server.exited;
  });

  it("says what a first start is doing, with durations", () => {
    const output = server.output();
    expect(output).toContain("initialising embedded database…");
    expect(output).toMatch(/applying \d+ migrations…/);
    expect(output).toMatch(
      /Gatehouse listening on http:\/\/\S+ \(Swagger UI: \S+\); started in \d+\.\d s \(embedded database \d+\.\d s, \d+ migrations \d+\.\d s\)/,
    );
  });

  it("registers, reads the code, verifies, logs in, reads me, refreshes and logs out, twice in a row", async () => {
    const block = quickStartBlock();
    for (const name of ["ada", "grace"]) {
      const [registered, code, verified, me, loggedOut, afterLogout, ...rest] = await runBlock(
        block,
        server.baseUrl,
        name,
      );
      expect(rest).toEqual([]);
      expect(JSON.parse(registered ?? "")).toMatchObject({ success: true, data: { status: "pending_verification" } });
      expect(code).toMatch(/^code: \d{6}$/);
      expect(JSON.parse(verified ?? "")).toMatchObject({ success: true });
      expect(JSON.parse(me ?? "")).toMatchObject({
        success: true,
        data: { username: name, email: `${name}@example.com` },
      });
      expect(JSON.parse(loggedOut ?? "")).toMatchObject({ success: true });
      expect(JSON.parse(afterLogout ?? "")).toMatchObject({ success: false, error: { code: "SESSION_REVOKED" } });
    }
  }, 240_000);
});
