import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, cleanEnv, runCli } from "./support/cli-process.js";
import { type Keycloak, KeycloakGate, keycloakMissing, sharedKeycloak, type TestRealm } from "./support/keycloak.js";

interface KcUser {
  readonly id: string;
  readonly username: string;
  readonly enabled: boolean;
  readonly emailVerified: boolean;
  readonly attributes?: Record<string, string[]>;
}

describe.skipIf(keycloakMissing())("gatehouse keycloak sync (dist/cli.js as a child process)", () => {
  let keycloak: Keycloak;
  let realm: TestRealm;
  let gate: KeycloakGate;
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  const cli = (args: readonly string[], stdin?: string) => runCli(args, env, cwd, stdin);

  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`pnpm build\` first`);
    keycloak = await sharedKeycloak();
    realm = await keycloak.createRealm();
    gate = await KeycloakGate.open(keycloak.url);
    cwd = await mkdtemp(join(tmpdir(), "gh-cli-keycloak-"));
    env = cleanEnv({
      DATA_DIR: join(cwd, "data"),
      JWT_SECRET: "test-secret-that-is-long-enough-for-hs256!!",
      IDENTITY_BACKEND: "keycloak",
      KEYCLOAK_URL: gate.url,
      KEYCLOAK_REALM: realm.name,
      KEYCLOAK_CLIENT_ID: realm.appClient.id,
      KEYCLOAK_CLIENT_SECRET: realm.appClient.secret,
      KEYCLOAK_ADMIN_CLIENT_ID: realm.backendClient.id,
      KEYCLOAK_ADMIN_CLIENT_SECRET: realm.backendClient.secret,
      KEYCLOAK_TIMEOUT_MS: "5000",
    });
  }, 300_000);
  afterAll(async () => {
    await gate?.close();
    await keycloak?.deleteRealm(realm);
    if (cwd !== undefined) await rm(cwd, { recursive: true, force: true });
  });

  it("applies what CLI changes queued: nothing reaches Keycloak while it is down, all of it once it is back", async () => {
    const created = await cli(
      ["--json", "users", "create", "--email", "cli.kc@example.com", "--username", "cli_kc"],
      "Cli-Fjord-Lantern-42\n",
    );
    expect(created.code, created.stderr).toBe(0);
    await gate.down();
    try {
      const down = await cli(["--json", "keycloak", "sync"]);
      expect(down.code, down.stderr).toBe(0);
      expect(JSON.parse(down.stdout)).toEqual({ synced: 0, retried: 1, failed: 0, queued: 1 });
    } finally {
      await gate.up();
    }
    // The retry is due a second later (backoff from the first attempt); on a loaded machine a
    // run may still time out, and the next one retries it.
    let applied = 0;
    let left = 1;
    for (let run = 0; run < 6 && left > 0; run += 1) {
      await new Promise((resolve) => setTimeout(resolve, 1500 * 2 ** run));
      const up = await cli(["--json", "keycloak", "sync"]);
      expect(up.code, up.stderr).toBe(0);
      const summary = JSON.parse(up.stdout) as { synced: number; failed: number; queued: number };
      expect(summary.failed).toBe(0);
      applied += summary.synced;
      left = summary.queued;
    }
    expect([applied, left]).toEqual([1, 0]);
    const [account] = await keycloak.admin<KcUser[]>(
      "GET",
      `/${realm.name}/users?email=cli.kc%40example.com&exact=true&briefRepresentation=false`,
    );
    expect(account).toMatchObject({ username: "cli_kc", enabled: true });
    const grant = await fetch(`${realm.issuer}/protocol/openid-connect/token`, {
      method: "POST",
      body: new URLSearchParams({
        grant_type: "password",
        client_id: realm.appClient.id,
        client_secret: realm.appClient.secret,
        username: "cli_kc",
        password: "Cli-Fjord-Lantern-42",
      }),
    });
    expect(grant.status).toBe(200);
    const local = await cli(["--json", "keycloak", "sync"], undefined);
    expect(JSON.parse(local.stdout)).toEqual({ synced: 0, retried: 0, failed: 0, queued: 0 });
    const usage = await runCli(["keycloak", "sync"], cleanEnv({ DATA_DIR: join(cwd, "data2") }), cwd);
    expect([usage.code, usage.stderr.trim()]).toEqual([
      2,
      "gatehouse: keycloak sync needs IDENTITY_BACKEND=keycloak (see gatehouse --help)",
    ]);
  }, 120_000);
});
