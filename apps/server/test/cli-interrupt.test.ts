import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
// util-linux `script` gives the CLI a real pseudo-terminal, so the prompt runs in raw mode as it does for an operator.
const SCRIPT = "/usr/bin/script";

describe.skipIf(!existsSync(SCRIPT))("gatehouse password prompt on a terminal", () => {
  let cwd: string;
  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`pnpm build\` first`);
    cwd = await mkdtemp(join(tmpdir(), "gh-cli-int-"));
  });
  afterAll(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it("exits 130 on Ctrl-C at the password prompt (it used to exit 0, as if the admin had been created)", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: "silent", DATA_DIR: join(cwd, "data") };
    delete env.DATABASE_URL;
    delete env.TEST_DATABASE_URL;
    const command = `${process.execPath} ${CLI} admin create --email ops@example.com --username ops`;
    const child = spawn(SCRIPT, ["-qec", command, "/dev/null"], { env, cwd, stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    let pressing: NodeJS.Timeout | undefined;
    const code = await new Promise<number | null>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString("utf8");
        // The prompt is drawn before the terminal is switched to raw mode; a Ctrl-C typed in
        // that gap is lost, so keep pressing it until the CLI has gone.
        if (pressing === undefined && output.includes("Password: ")) {
          pressing = setInterval(() => child.stdin.write("\u0003"), 250);
        }
      });
      child.on("error", reject);
      child.on("close", resolve);
    }).finally(() => clearInterval(pressing));
    expect(output).toContain("Password: ");
    expect(code).toBe(130);
    expect(existsSync(join(cwd, "data"))).toBe(false);
  }, 30_000);
});
