import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, type DatabaseHandle, loadConfig, openDatabase, rowsOf } from "@gatehouse/infrastructure";
import { createTestDatabase, postgresTestUrl, type TestDatabase } from "@gatehouse/infrastructure/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminAccount } from "../src/admin-account.js";
import { createServer } from "../src/compose.js";
import { CLI, cleanEnv, runCli } from "./support/cli-process.js";
import { TEST_JWT_SECRET } from "./support/test-server.js";

const PASSWORD = "Lantern-Cobalt-927";
const settings = {
  passwordMinLength: 8,
  passwordComposition: false,
  passwordBreachCheck: { mode: "off" as const, url: "http://127.0.0.1:9", failClosed: false },
  argon2MaxConcurrency: 2,
};

async function superAdmins(handle: DatabaseHandle): Promise<Array<{ email: string; password_hash: string }>> {
  return rowsOf(
    await handle.db.execute(sql`
      SELECT u.email, u.password_hash FROM users u
      JOIN user_roles ur ON ur.user_id = u.id JOIN roles r ON r.id = ur.role_id
      WHERE r.name = 'super_admin' ORDER BY u.email`),
  );
}

async function auditActions(handle: DatabaseHandle): Promise<string[]> {
  const rows = rowsOf<{ action: string }>(
    await handle.db.execute(sql`SELECT action FROM audit_logs WHERE user_id IS NULL ORDER BY action`),
  );
  return rows.map((row) => row.action);
}

describe("createAdminAccount (CLI and bootstrap path) on pglite", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase("pglite");
  });
  afterAll(async () => {
    await database.drop();
  });

  it("creates a super_admin under the registration rules, and with onlyIfNone only when none exists", async () => {
    const weak = createAdminAccount(
      settings,
      database.handle,
      { email: "weak@example.com", username: "weak", password: "short" },
      { onlyIfNone: false, origin: "cli" },
    );
    await expect(weak).rejects.toMatchObject({ code: "VALIDATION_ERROR" });
    // A bootstrap admin with a list password (the usual "change me later" default) is refused too.
    const common = createAdminAccount(
      settings,
      database.handle,
      { email: "common@example.com", username: "common", password: "P@ssw0rd" },
      { onlyIfNone: false, origin: "bootstrap" },
    );
    await expect(common).rejects.toMatchObject({
      code: "VALIDATION_ERROR",
      details: [{ field: "password", message: "is too common; choose a longer passphrase" }],
    });

    const first = await createAdminAccount(
      settings,
      database.handle,
      { email: "First@Example.com", username: "first", password: PASSWORD },
      { onlyIfNone: true, origin: "bootstrap" },
    );
    expect(first.created).toBe(true);
    const again = await createAdminAccount(
      settings,
      database.handle,
      { email: "second@example.com", username: "second", password: PASSWORD },
      { onlyIfNone: true, origin: "bootstrap" },
    );
    expect(again).toEqual({ created: false, reason: "super_admin_exists" });
    const admins = await superAdmins(database.handle);
    expect(admins.map((admin) => admin.email)).toEqual(["first@example.com"]);
    expect(admins[0]?.password_hash).toMatch(/^\$argon2id\$/);
    expect(await auditActions(database.handle)).toEqual(["role.assign", "user.create"]);
  });
});

describe.runIf(postgresTestUrl() !== undefined)("bootstrap admin on PostgreSQL under concurrent starts", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase("postgres", { maxConnections: 10 });
  });
  afterAll(async () => {
    await database.drop();
  });

  it("creates exactly one super_admin when many callers race, even with different emails", async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        createAdminAccount(
          settings,
          database.handle,
          { email: `racer${i}@example.com`, username: `racer${i}`, password: PASSWORD },
          { onlyIfNone: true, origin: "bootstrap" },
        ),
      ),
    );
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(await superAdmins(database.handle)).toHaveLength(1);
  });

  it("two servers starting at once with BOOTSTRAP_ADMIN_* on one database create one account", async () => {
    const fresh = await createTestDatabase("postgres");
    const env = {
      JWT_SECRET: TEST_JWT_SECRET,
      LOG_LEVEL: "silent",
      DATABASE_URL: fresh.url as string,
      BOOTSTRAP_ADMIN_EMAIL: "boot@example.com",
      BOOTSTRAP_ADMIN_PASSWORD: PASSWORD,
    };
    const cwd = await mkdtemp(join(tmpdir(), "gh-boot-"));
    const logger = createLogger({ level: "silent", pretty: false });
    try {
      const servers = await Promise.all([0, 1].map(() => createServer(loadConfig(env, cwd), logger)));
      await Promise.all(servers.map((server) => server.close()));
      expect((await superAdmins(fresh.handle)).map((admin) => admin.email)).toEqual(["boot@example.com"]);
    } finally {
      await fresh.drop();
      await rm(cwd, { recursive: true, force: true });
    }
  });
});

describe("gatehouse admin create (dist/cli.js as a child process)", () => {
  let cwd: string;
  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`pnpm build\` first`);
    cwd = await mkdtemp(join(tmpdir(), "gh-cli-"));
  });
  afterAll(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it("creates admins in the embedded database from stdin and from --password-file, and refuses bad input", async () => {
    const env = cleanEnv({ DATA_DIR: join(cwd, "data") });
    const fromStdin = await runCli(
      ["admin", "create", "--email", "ops@example.com", "--username", "ops"],
      env,
      cwd,
      `${PASSWORD}\n`,
    );
    expect(fromStdin.stderr).toBe("");
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout).toMatch(/^created super_admin ops <ops@example.com> \([0-9a-f-]{36}\)\n$/);

    const file = join(cwd, "password.txt");
    await writeFile(file, `${PASSWORD}\n`);
    const fromFile = await runCli(
      ["admin", "create", "--email", "ops2@example.com", "--username", "ops2", "--password-file", file],
      env,
      cwd,
    );
    expect(fromFile.code).toBe(0);

    const weak = await runCli(
      ["admin", "create", "--email", "weak@example.com", "--username", "weak"],
      env,
      cwd,
      "pw\n",
    );
    expect(weak.code).toBe(1);
    expect(weak.stderr).toContain("VALIDATION_ERROR");
    expect(weak.stderr).toContain("password:");
    expect(weak.stderr).not.toContain("pw\n");

    const duplicate = await runCli(
      ["admin", "create", "--email", "OPS@example.com", "--username", "other"],
      env,
      cwd,
      PASSWORD,
    );
    expect([duplicate.code, duplicate.stderr.trim()]).toEqual([
      1,
      "gatehouse: DUPLICATE_EMAIL: Email is already registered",
    ]);

    const usage = await runCli(["admin", "create", "--email", "x@example.com"], env, cwd);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("--email and --username are required");

    const handle = await openDatabase({ kind: "pglite", dataDir: join(cwd, "data", "pglite") });
    try {
      expect((await superAdmins(handle)).map((admin) => admin.email)).toEqual(["ops2@example.com", "ops@example.com"]);
    } finally {
      await handle.close();
    }
    // Each run boots the embedded database in a fresh process: seconds each on a busy machine.
  }, 180_000);

  it.runIf(postgresTestUrl() !== undefined)("creates an admin in the DATABASE_URL database", async () => {
    const database = await createTestDatabase("postgres");
    try {
      const result = await runCli(
        ["admin", "create", "--email", "pg@example.com", "--username", "pgadmin"],
        cleanEnv({ DATABASE_URL: database.url as string }),
        cwd,
        PASSWORD,
      );
      expect(result.code, result.stderr).toBe(0);
      expect((await superAdmins(database.handle)).map((admin) => admin.email)).toEqual(["pg@example.com"]);
    } finally {
      await database.drop();
    }
  });
});
