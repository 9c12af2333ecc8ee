import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CLI = fileURLToPath(new URL("../dist/cli.js", import.meta.url));
// `htpasswd -nbB -C 5 bob Tr1cky-Fjord-Lantern-88` (Debian apache2-utils).
const BCRYPT = "$2y$05$GArWpnnGn2Ir8AY1MRwVqOeq2PgPGsIDe0IK/HBSWVhRED7mA56IG";

/** The CLI on its own embedded database; exit code and both streams, never a throw. */
function gatehouse(args: readonly string[], dataDir: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: "silent", DATA_DIR: dataDir };
  delete env.DATABASE_URL;
  delete env.TEST_DATABASE_URL;
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr });
    });
  });
}

describe("gatehouse users import FILE (dist/cli.js as a child process)", () => {
  let dir: string;
  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`pnpm build\` first`);
    dir = await mkdtemp(join(tmpdir(), "gh-import-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("dry-runs, imports, skips on the re-run (resumable), reports failed lines and exits 1 for them", async () => {
    const file = join(dir, "users.jsonl");
    const rows = [
      { email: "cli-bob@example.com", password_hash: BCRYPT, email_verified: true },
      { email: "cli-amy@example.com", roles: ["admin"] },
      { email: "not-an-email" },
    ];
    await writeFile(file, `${rows.map((row) => JSON.stringify(row)).join("\n")}\n`);
    const data = join(dir, "data");

    const dry = await gatehouse(["users", "import", file, "--dry-run"], data);
    expect(dry.stdout).toBe(
      "would create 2, skipped 0, failed 1\n  line 3: VALIDATION_ERROR: email: must be a valid email address\n",
    );
    expect(dry.code).toBe(1);

    const first = await gatehouse(["users", "import", file, "--json"], data);
    expect(JSON.parse(first.stdout)).toEqual({
      created: 2,
      skipped: 0,
      failed: [{ line: 3, code: "VALIDATION_ERROR", message: "email: must be a valid email address" }],
    });
    const again = await gatehouse(["users", "import", file, "--json"], data);
    expect(JSON.parse(again.stdout)).toMatchObject({ created: 0, skipped: 2 });

    const usage = await gatehouse(["users", "import"], data);
    expect(usage.stderr).toMatch(/users import takes exactly one FILE[\s\S]*gatehouse users import FILE/);
    expect(usage.code).not.toBe(0);
  }, 120_000);
});
