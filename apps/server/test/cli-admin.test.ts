import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DatabaseHandle, openDatabase, rowsOf } from "@gatehouse/infrastructure";
import { createTestDatabase, postgresTestUrl, type TestDatabase } from "@gatehouse/infrastructure/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, type CliResult, cleanEnv, runCli } from "./support/cli-process.js";

// util-linux `script` gives the CLI a real pseudo-terminal, as an operator's shell does.
const SCRIPT = "/usr/bin/script";

const PASSWORD = "Tr1cky-Fjord-Lantern-88";
const NEW_PASSWORD = "Quartz-Harbour-Meadow-41";
const SECRET = "a-test-secret-that-is-at-least-32-bytes-long!";

/** The JSON a `--json` run printed, after checking it succeeded and said nothing on stderr. */
function jsonOf(result: CliResult): Record<string, unknown> {
  expect(result.stderr, result.stderr).toBe("");
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

interface AuditRow {
  action: string;
  user_id: string | null;
  user_agent: string | null;
  request_id: string | null;
  status: string;
  resource_id: string | null;
}

async function cliAuditRows(handle: DatabaseHandle): Promise<AuditRow[]> {
  return rowsOf<AuditRow>(
    await handle.db.execute(sql`
      SELECT action, user_id, user_agent, request_id, status, resource_id FROM audit_logs
      WHERE user_agent = 'gatehouse cli' ORDER BY id`),
  );
}

// PostgreSQL when DATABASE_URL is set (a private database), else the embedded one in a DATA_DIR.
const kind = postgresTestUrl() === undefined ? "pglite" : "postgres";

describe(`gatehouse admin commands (dist/cli.js as a child process, ${kind})`, () => {
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  let postgres: TestDatabase | undefined;
  const cli = (args: readonly string[], stdin?: string) => runCli(args, env, cwd, stdin);

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`pnpm build\` first`);
    cwd = await mkdtemp(join(tmpdir(), "gh-cli-admin-"));
    postgres = kind === "postgres" ? await createTestDatabase("postgres") : undefined;
    env = cleanEnv({
      DATA_DIR: join(cwd, "data"),
      JWT_SECRET: SECRET,
      ...(postgres === undefined ? {} : { DATABASE_URL: postgres.url as string }),
    });
    await writeFile(join(cwd, "password.txt"), `${PASSWORD}\n`);
  });
  afterAll(async () => {
    await postgres?.drop();
    await rm(cwd, { recursive: true, force: true });
  });

  it("runs the daily admin work through the use cases, audited as the CLI, with --json and one-line errors", async () => {
    const created = jsonOf(
      await cli([
        "users",
        "create",
        "--email",
        "Carol@Example.com",
        "--username",
        "carol",
        "--password-file",
        join(cwd, "password.txt"),
        "--json",
      ]),
    );
    expect(created).toMatchObject({ username: "carol", email: "carol@example.com", status: "active", roles: ["user"] });
    const id = created.id as string;

    const listed = jsonOf(await cli(["--json", "users", "list"]));
    expect(listed).toMatchObject({ total: 1, users: [{ id, email: "carol@example.com" }] });
    const table = await cli(["users", "list"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+USERNAME\s+EMAIL\s+STATUS/);
    expect(table.stdout).toContain("1 of 1 users");

    const shown = await cli(["users", "show", "carol@example.com"]);
    expect([shown.code, shown.stdout]).toEqual([0, expect.stringMatching(/^status\s+active$/m)]);
    expect(shown.stdout).not.toContain("password");

    expect(jsonOf(await cli(["users", "suspend", id, "--reason", "lost laptop", "--json"]))).toMatchObject({
      status: "suspended",
    });
    const noReason = await cli(["users", "suspend", id]);
    expect([noReason.code, noReason.stdout, noReason.stderr]).toEqual([
      2,
      "",
      "gatehouse: --reason is required (see gatehouse --help)\n",
    ]);
    expect(jsonOf(await cli(["users", "reactivate", "carol@example.com", "--json"]))).toMatchObject({
      status: "active",
    });

    expect(jsonOf(await cli(["roles", "create", "support", "--permission", "users:read", "--json"]))).toMatchObject({
      name: "support",
      permissions: ["users:read"],
    });
    const granted = jsonOf(await cli(["roles", "grant", "support", "audit:read", "--json"]));
    expect([...(granted.permissions as string[])].sort()).toEqual(["audit:read", "users:read"]);
    const system = await cli(["roles", "grant", "user", "audit:read"]);
    expect([system.code, system.stderr]).toEqual([
      1,
      "gatehouse: CANNOT_MODIFY_SYSTEM_ROLE: System roles cannot be changed\n",
    ]);
    const roles = jsonOf(await cli(["roles", "list", "--json"])) as unknown as Array<{ name: string }>;
    expect(roles.map((role) => role.name)).toContain("support");

    expect(jsonOf(await cli(["users", "set-role", id, "support", "--json"]))).toEqual({
      user_id: id,
      roles: ["support"],
    });

    const weak = await cli(["users", "reset-password", id], "carol-2024\n");
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/^gatehouse: VALIDATION_ERROR: .*password: .*\n$/);
    expect(weak.stderr.split("\n")).toHaveLength(2);
    expect((await cli(["users", "reset-password", id], `${NEW_PASSWORD}\n`)).code).toBe(0);
    expect(jsonOf(await cli(["sessions", "revoke", "--user", "carol@example.com", "--json"]))).toEqual({
      user_id: id,
      sessions_revoked: 0,
    });

    const file = join(cwd, "users.jsonl");
    const exported = await cli(["users", "export", "--output", file]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/^exported 1 users in [\d.]+s \([\d.]+ users\/s\) to /);
    const lines = (await readFile(file, "utf8")).trim().split("\n");
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ id, email: "carol@example.com", roles: ["support"] }),
    ]);
    const piped = await cli(["--json", "users", "export"]);
    expect(piped.code).toBe(0);
    expect(JSON.parse(piped.stdout)).toMatchObject({ id });
    // Not a terminal: no progress bar, one summary line, on stderr as the data owns stdout.
    expect(JSON.parse(piped.stderr)).toMatchObject({ exported: 1, file: null });

    expect(jsonOf(await cli(["users", "delete", id, "--json"]))).toMatchObject({ deleted_at: expect.any(String) });
    expect(jsonOf(await cli(["users", "restore", id, "--json"]))).toMatchObject({ deleted_at: null });

    const missing = await cli(["users", "show", "nobody@example.com"]);
    expect([missing.code, missing.stdout, missing.stderr]).toEqual([
      1,
      "",
      "gatehouse: USER_NOT_FOUND: User not found\n",
    ]);
    const unknown = await cli(["users", "frobnicate"]);
    expect([unknown.code, unknown.stderr]).toEqual([
      2,
      "gatehouse: unknown command 'frobnicate' (see gatehouse --help)\n",
    ]);

    const handle = postgres?.handle ?? (await openDatabase({ kind: "pglite", dataDir: join(cwd, "data", "pglite") }));
    try {
      const rows = await cliAuditRows(handle);
      // The operator is no user: every row the CLI wrote has no user id and a cli- request id.
      expect(rows.every((row) => row.user_id === null && row.request_id?.startsWith("cli-"))).toBe(true);
      const actions = rows.map((row) => `${row.action}:${row.status}`);
      for (const action of [
        "user.create",
        "user.suspend",
        "user.reactivate",
        "role.create",
        "role.assign",
        "role.unassign",
        "user.password_set",
        "user.sessions_revoke",
        "user.delete",
        "user.restore",
      ]) {
        expect(actions).toContain(`${action}:success`);
      }
      const stored = rowsOf<{ password_hash: string }>(
        await handle.db.execute(sql`SELECT password_hash FROM users WHERE id = ${id}`),
      );
      expect(stored[0]?.password_hash).toMatch(/^\$argon2id\$/);
    } finally {
      if (postgres === undefined) await handle.close();
    }
  }, 400_000);

  it("config check prints every setting with its source and masks secrets; an invalid one exits 1 naming it", async () => {
    // REDIS_URL is dropped from the child's environment: CI exports it, and the check reads it.
    const { REDIS_URL: _redis, ...withoutRedis } = env;
    const checked = jsonOf(await runCli(["config", "check", "--json"], withoutRedis, cwd));
    const settings = checked.settings as Array<{ name: string; source: string; value: string | null }>;
    expect(settings.find((s) => s.name === "JWT_SECRET")).toEqual({ name: "JWT_SECRET", source: "env", value: "****" });
    // Defaults show the value in effect (they once all read "(default)"); what has none reads null.
    expect(settings.find((s) => s.name === "APP_PORT")).toEqual({ name: "APP_PORT", source: "default", value: "8080" });
    expect(settings.find((s) => s.name === "REDIS_URL")).toEqual({ name: "REDIS_URL", source: "default", value: null });
    expect(JSON.stringify(checked)).not.toContain(SECRET);

    const bad = await runCli(["config", "check"], { ...env, APP_PORT: "99999", JWT_SECRETS: "x" }, cwd);
    expect([bad.code, bad.stdout]).toEqual([1, ""]);
    expect(bad.stderr).toBe(
      'gatehouse: invalid configuration: APP_PORT must be an integer from 0 to 65535 (got "99999")\n',
    );

    const migrated = await cli(["migrate"]);
    expect([migrated.code, migrated.stdout]).toEqual([0, expect.stringMatching(/^migrations applied \(/)]);
  }, 120_000);
  it.skipIf(!existsSync(SCRIPT))(
    "users export on a terminal shows a progress bar with count, rate and ETA",
    async () => {
      expect(
        (await cli(["users", "create", "--email", "tty@example.com", "--username", "ttyuser", "--no-password"])).code,
      ).toBe(0);
      const file = join(cwd, "tty.jsonl");
      const output = await new Promise<string>((resolve, reject) => {
        const command = `${process.execPath} ${CLI} users export --output ${file}`;
        const child = spawn(SCRIPT, ["-qec", command, "/dev/null"], { env, cwd, stdio: ["pipe", "pipe", "pipe"] });
        let text = "";
        child.stdout.on("data", (chunk: Buffer) => {
          text += chunk.toString("utf8");
        });
        child.on("error", reject);
        child.on("close", (code) => (code === 0 ? resolve(text) : reject(new Error(`exit ${code}: ${text}`))));
        child.stdin.end();
      });
      expect(output).toMatch(/exporting .* (\d+)\/\1 users \| \d+\/s \| ETA \d+s/);
      expect(output).toMatch(/exported \d+ users in /);
      expect((await readFile(file, "utf8")).trim().split("\n").length).toBeGreaterThanOrEqual(1);
    },
    120_000,
  );
});
