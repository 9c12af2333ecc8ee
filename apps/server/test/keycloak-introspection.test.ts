import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCode, get, register } from "./support/http.js";
import { type Keycloak, KeycloakGate, keycloakMissing, sharedKeycloak, type TestRealm } from "./support/keycloak.js";
import { createRealmAccount, REALM_PASSWORD, realmAccessToken } from "./support/realm-accounts.js";
import { sql, startTestServer, type TestServer, uniqueUser } from "./support/test-server.js";

const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split(".")[1] as string, "base64url").toString()) as Record<string, unknown>;

// KEYCLOAK_INTROSPECTION against a real Keycloak 26: `lightweight` learns the roles a lightweight
// access token leaves out, `always` refuses a token whose Keycloak session ended at once, and the
// same server without introspection shows what each adds. Everything goes through a gate, so
// "Keycloak down" can be shown too (a token's `iss` is the address it was asked at).
describe.skipIf(keycloakMissing())("Keycloak token introspection", () => {
  let keycloak: Keycloak;
  let realm: TestRealm;
  let gate: KeycloakGate;
  let issuer: string;
  const servers: Record<"off" | "lightweight" | "always", TestServer | undefined> = {
    off: undefined,
    lightweight: undefined,
    always: undefined,
  };
  const server = (mode: keyof typeof servers) => servers[mode] as TestServer;

  /** The app client, switched to lightweight access tokens (no roles, no email in them). */
  async function useLightweightTokens(on: boolean) {
    const [client] = await keycloak.admin<Array<Record<string, unknown> & { id: string }>>(
      "GET",
      `/${realm.name}/clients?clientId=${realm.appClient.id}`,
    );
    const attributes = { ...(client?.attributes as Record<string, string>) };
    attributes["client.use.lightweight.access.token.enabled"] = String(on);
    await keycloak.admin("PUT", `/${realm.name}/clients/${client?.id}`, { ...client, attributes });
  }

  /** A realm account holding `gatehouse-admin`, linked to a Gatehouse user on every server. */
  async function linkedAdmin() {
    const user = uniqueUser("kci");
    const keycloakId = await createRealmAccount(keycloak, realm, { ...user, realmRoles: ["gatehouse-admin"] });
    for (const t of Object.values(servers) as TestServer[]) {
      const id = await register(t, { ...user, password: REALM_PASSWORD });
      await t.query(
        sql`UPDATE users SET keycloak_id = ${keycloakId}, keycloak_sync_status = 'synced' WHERE id = ${id}`,
      );
    }
    return { ...user, keycloakId };
  }

  beforeAll(async () => {
    keycloak = await sharedKeycloak();
    realm = await keycloak.createRealm();
    gate = await KeycloakGate.open(keycloak.url);
    issuer = `${gate.url}/realms/${realm.name}`;
    for (const mode of ["off", "lightweight", "always"] as const) {
      servers[mode] = await startTestServer({
        KEYCLOAK_ACCEPT_TOKENS: "true",
        KEYCLOAK_URL: gate.url,
        KEYCLOAK_REALM: realm.name,
        KEYCLOAK_CLIENT_ID: realm.appClient.id,
        KEYCLOAK_CLIENT_SECRET: realm.appClient.secret,
        KEYCLOAK_ROLE_MAPPING: "realm:gatehouse-admin=admin",
        KEYCLOAK_INTROSPECTION: mode,
      });
    }
  }, 300_000);
  afterAll(async () => {
    for (const t of Object.values(servers)) await t?.close();
    await gate?.close();
    await keycloak?.deleteRealm(realm);
  });

  it("lightweight: the subject and roles a lightweight token leaves out come from the introspection", async () => {
    await useLightweightTokens(true);
    try {
      const admin = await linkedAdmin();
      const token = await realmAccessToken(issuer, admin.username, realm.appClient);
      // Keycloak 26 leaves the subject out of a lightweight token too, besides roles and email.
      expect([claimsOf(token).sub, claimsOf(token).realm_access, claimsOf(token).email]).toEqual([
        undefined,
        undefined,
        undefined,
      ]);
      // Without introspection such a token names nobody: refused like a bad one.
      const anonymous = await get(server("off"), "/api/v1/auth/me", token);
      expect([anonymous.status, errorCode(anonymous.body)]).toEqual([401, "INVALID_TOKEN"]);
      expect((await get(server("lightweight"), "/api/v1/admin/users", token)).status).toBe(200);
      expect((await get(server("always"), "/api/v1/admin/users", token)).status).toBe(200);
    } finally {
      await useLightweightTokens(false);
    }
  }, 120_000);

  it("always: a token whose Keycloak session was ended is refused at once; without introspection it lives on", async () => {
    const admin = await linkedAdmin();
    const token = await realmAccessToken(issuer, admin.username, realm.appClient);
    expect(claimsOf(token).realm_access).toBeDefined();
    for (const mode of ["off", "lightweight", "always"] as const) {
      expect((await get(server(mode), "/api/v1/auth/me", token)).status).toBe(200);
    }
    await keycloak.admin("POST", `/${realm.name}/users/${admin.keycloakId}/logout`);
    const refused = await get(server("always"), "/api/v1/auth/me", token);
    expect([refused.status, errorCode(refused.body)]).toEqual([401, "INVALID_TOKEN"]);
    // A token with its roles is not introspected under `lightweight`: valid until it expires.
    expect((await get(server("lightweight"), "/api/v1/auth/me", token)).status).toBe(200);
    expect((await get(server("off"), "/api/v1/auth/me", token)).status).toBe(200);
  }, 120_000);

  it("always: Keycloak unreachable answers 503 IDENTITY_BACKEND_UNAVAILABLE; without introspection the cached keys go on", async () => {
    const admin = await linkedAdmin();
    const token = await realmAccessToken(issuer, admin.username, realm.appClient);
    expect((await get(server("off"), "/api/v1/auth/me", token)).status).toBe(200);
    await gate.down();
    try {
      const down = await get(server("always"), "/api/v1/auth/me", token);
      expect([down.status, errorCode(down.body)]).toEqual([503, "IDENTITY_BACKEND_UNAVAILABLE"]);
      expect((await get(server("off"), "/api/v1/auth/me", token)).status).toBe(200);
    } finally {
      await gate.up();
    }
    expect((await get(server("always"), "/api/v1/auth/me", token)).status).toBe(200);
  }, 120_000);
});
