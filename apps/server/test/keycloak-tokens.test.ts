import { randomBytes } from "node:crypto";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCode, get, readinessBecomes, register } from "./support/http.js";
import { type Keycloak, KeycloakGate, keycloakMissing, sharedKeycloak, type TestRealm } from "./support/keycloak.js";
import { createRealmAccount, REALM_PASSWORD, realmAccessToken } from "./support/realm-accounts.js";
import { sql, startTestServer, TEST_JWT_SECRET, type TestServer, uniqueUser } from "./support/test-server.js";

const PASSWORD = REALM_PASSWORD;

// Item 7 of the Keycloak issue: realm-issued access tokens accepted on Gatehouse's API
// (KEYCLOAK_ACCEPT_TOKENS=true), verified locally against the realm's JWKS, with the roles mapped.
describe.skipIf(keycloakMissing())("Keycloak tokens on the API", () => {
  let keycloak: Keycloak;
  let realm: TestRealm;
  let other: TestRealm;
  let t: TestServer;

  /** A Keycloak account linked to a new Gatehouse user; its realm roles as given. */
  async function linkedUser(realmRoles: string[] = []) {
    const user = uniqueUser("kct");
    const id = await register(t, { ...user, password: PASSWORD });
    const keycloakId = await createRealmAccount(keycloak, realm, { ...user, realmRoles });
    await t.query(sql`UPDATE users SET keycloak_id = ${keycloakId}, keycloak_sync_status = 'synced' WHERE id = ${id}`);
    return { ...user, id, keycloakId };
  }

  const realmToken = (
    target: TestRealm,
    username: string,
    client: { id: string; secret?: string } = target.appClient,
  ) => realmAccessToken(target.issuer, username, client);

  beforeAll(async () => {
    keycloak = await sharedKeycloak();
    [realm, other] = await Promise.all([keycloak.createRealm(), keycloak.createRealm()]);
    t = await startTestServer({
      KEYCLOAK_ACCEPT_TOKENS: "true",
      KEYCLOAK_URL: keycloak.url,
      KEYCLOAK_REALM: realm.name,
      KEYCLOAK_CLIENT_ID: realm.appClient.id,
      KEYCLOAK_ROLE_MAPPING: "realm:gatehouse-admin=admin",
      KEYCLOAK_JWKS_COOLDOWN_SECONDS: "0",
    });
  }, 300_000);
  afterAll(async () => {
    await t?.close();
    await keycloak?.deleteRealm(realm);
    await keycloak?.deleteRealm(other);
  });

  it("accepts a realm token for a linked user, with the user's roles plus the mapped realm roles", async () => {
    const plain = await linkedUser();
    const me = await get(t, "/api/v1/auth/me", await realmToken(realm, plain.email));
    expect(me.status).toBe(200);
    expect((me.body.data as { id: string }).id).toBe(plain.id);
    const plainToken = await realmToken(realm, plain.email);
    expect((await get(t, "/api/v1/admin/users", plainToken)).status).toBe(403);

    const admin = await linkedUser(["gatehouse-admin"]);
    const adminToken = await realmToken(realm, admin.email);
    expect((await get(t, "/api/v1/admin/users", adminToken)).status).toBe(200);
  }, 60_000);

  it("refuses a token of another realm, of another client (audience), an unlinked account and a blocked user", async () => {
    const user = await linkedUser();
    // Another realm: a different issuer, so it is judged as a Gatehouse token, and fails.
    await keycloak.admin("POST", `/${other.name}/users`, {
      username: user.username,
      email: user.email,
      firstName: "Kay",
      lastName: "Cloak",
      enabled: true,
      emailVerified: true,
      credentials: [{ type: "password", value: PASSWORD, temporary: false }],
    });
    const foreign = await get(t, "/api/v1/auth/me", await realmToken(other, user.email));
    expect([foreign.status, errorCode(foreign.body)]).toEqual([401, "INVALID_TOKEN"]);

    // The realm's own admin-cli client: right issuer, wrong audience (aud/azp are not gatehouse-app).
    await keycloak.admin("POST", `/${realm.name}/users`, {
      username: `cli_${randomBytes(3).toString("hex")}`,
      email: `cli.${randomBytes(3).toString("hex")}@example.com`,
      firstName: "C",
      lastName: "L",
      enabled: true,
      emailVerified: true,
      credentials: [{ type: "password", value: PASSWORD, temporary: false }],
    });
    const wrongAudience = await get(t, "/api/v1/auth/me", await realmToken(realm, user.email, { id: "admin-cli" }));
    expect([wrongAudience.status, errorCode(wrongAudience.body)]).toEqual([401, "INVALID_TOKEN"]);

    const unlinked = uniqueUser("kcu");
    await keycloak.admin("POST", `/${realm.name}/users`, {
      username: unlinked.username,
      email: unlinked.email,
      firstName: "Un",
      lastName: "Linked",
      enabled: true,
      emailVerified: true,
      credentials: [{ type: "password", value: PASSWORD, temporary: false }],
    });
    const nobody = await get(t, "/api/v1/auth/me", await realmToken(realm, unlinked.email));
    expect([nobody.status, errorCode(nobody.body)]).toEqual([401, "INVALID_TOKEN"]);

    const token = await realmToken(realm, user.email);
    await t.query(sql`UPDATE users SET status = 'suspended' WHERE id = ${user.id}`);
    await t.server.app.inject({ method: "GET", url: "/health/live" }); // nothing cached for a blocked user
    const blocked = await get(t, "/api/v1/auth/me", token);
    expect(blocked.status).toBe(401);
  }, 60_000);

  it("never lets a Gatehouse-signed token pass as a Keycloak one", async () => {
    const user = await linkedUser();
    // Signed with Gatehouse's own secret, claiming the realm as issuer: routed to the realm's keys, refused.
    const forged = await new SignJWT({ typ: "Bearer", azp: realm.appClient.id })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer(realm.issuer)
      .setSubject(user.keycloakId)
      .setAudience(realm.appClient.id)
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    const response = await get(t, "/api/v1/auth/me", forged);
    expect([response.status, errorCode(response.body)]).toEqual([401, "INVALID_TOKEN"]);
  }, 60_000);

  it("follows a key rotation in the realm: a token under the new key is accepted after one JWKS refetch", async () => {
    const user = await linkedUser();
    expect((await get(t, "/api/v1/auth/me", await realmToken(realm, user.email))).status).toBe(200);
    const components = await keycloak.admin<Array<{ id: string }>>(
      "GET",
      `/${realm.name}/components?type=org.keycloak.keys.KeyProvider`,
    );
    await keycloak.admin("POST", `/${realm.name}/components`, {
      name: "rotated-rsa",
      providerId: "rsa-generated",
      providerType: "org.keycloak.keys.KeyProvider",
      config: { priority: ["500"], algorithm: ["RS256"] },
    });
    for (const component of components) await keycloak.admin("DELETE", `/${realm.name}/components/${component.id}`);
    const rotated = await get(t, "/api/v1/auth/me", await realmToken(realm, user.email));
    expect(rotated.status).toBe(200);
  }, 60_000);
});

describe.skipIf(keycloakMissing())("readiness with IDENTITY_BACKEND=keycloak", () => {
  let keycloak: Keycloak;
  let realm: TestRealm;
  let gate: KeycloakGate;
  let t: TestServer;

  beforeAll(async () => {
    keycloak = await sharedKeycloak();
    realm = await keycloak.createRealm();
    gate = await KeycloakGate.open(keycloak.url);
    t = await startTestServer({
      IDENTITY_BACKEND: "keycloak",
      KEYCLOAK_URL: gate.url,
      KEYCLOAK_REALM: realm.name,
      KEYCLOAK_CLIENT_ID: realm.appClient.id,
      KEYCLOAK_CLIENT_SECRET: realm.appClient.secret,
      KEYCLOAK_ADMIN_CLIENT_ID: realm.backendClient.id,
      KEYCLOAK_ADMIN_CLIENT_SECRET: realm.backendClient.secret,
      KEYCLOAK_TIMEOUT_MS: "1000",
    });
  }, 300_000);
  afterAll(async () => {
    await t?.close();
    await gate?.close();
    await keycloak?.deleteRealm(realm);
  });

  it("is ready with Keycloak up, degraded (still 200) while it is down, ready again when it returns", async () => {
    expect(await readinessBecomes(t, "ready")).toMatchObject({
      httpStatus: 200,
      checks: { keycloak: { status: "healthy" } },
    });
    await gate.down();
    expect(await readinessBecomes(t, "degraded")).toMatchObject({
      httpStatus: 200,
      checks: { database: { status: "healthy" }, keycloak: { status: "unhealthy" } },
    });
    await gate.up();
    expect(await readinessBecomes(t, "ready")).toMatchObject({ httpStatus: 200 });
  }, 60_000);
});
