import { testDatabaseKinds } from "@gatehouse/infrastructure/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCode, get, post, register } from "./support/http.js";
import { type Keycloak, keycloakMissing, sharedKeycloak, type TestRealm } from "./support/keycloak.js";
import { createRealmAccount, REALM_PASSWORD, realmAccessToken } from "./support/realm-accounts.js";
import { sql, startTestServer, type TestServer, uniqueUser } from "./support/test-server.js";

// KEYCLOAK_AUTO_PROVISION=true: a realm token for an account Gatehouse has not linked creates its
// user on first sight, once, however many first requests race; never from an unverified email and
// never onto a local account that already holds the email. Real Keycloak, real database.
describe.skipIf(keycloakMissing()).each(testDatabaseKinds())("Keycloak auto-provisioning (%s)", (kind) => {
  let keycloak: Keycloak;
  let realm: TestRealm;
  let t: TestServer;

  /** A realm account Gatehouse knows nothing of, and an access token of it (password grant). */
  async function realmAccount(options: { emailVerified: boolean; email?: string }) {
    const user = uniqueUser("kcp");
    const email = options.email ?? user.email;
    const keycloakId = await createRealmAccount(keycloak, realm, {
      ...user,
      email,
      emailVerified: options.emailVerified,
    });
    return { email, keycloakId, token: await realmAccessToken(realm.issuer, user.username, realm.appClient) };
  }

  const rowsOf = (keycloakId: string) =>
    t.query<{ id: string; email: string; status: string }>(
      sql`SELECT id, email, status FROM users WHERE keycloak_id = ${keycloakId}`,
    );

  beforeAll(async () => {
    keycloak = await sharedKeycloak();
    realm = await keycloak.createRealm();
    t = await startTestServer(
      {
        KEYCLOAK_ACCEPT_TOKENS: "true",
        KEYCLOAK_AUTO_PROVISION: "true",
        KEYCLOAK_URL: keycloak.url,
        KEYCLOAK_REALM: realm.name,
        KEYCLOAK_CLIENT_ID: realm.appClient.id,
      },
      kind,
    );
  }, 300_000);
  afterAll(async () => {
    await t?.close();
    await keycloak?.deleteRealm(realm);
  });

  it("twenty racing first requests of one account create one active user, audited once, with no password", async () => {
    const account = await realmAccount({ emailVerified: true });
    const answers = await Promise.all(Array.from({ length: 20 }, () => get(t, "/api/v1/auth/me", account.token)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    const rows = await rowsOf(account.keycloakId);
    expect(rows).toEqual([{ id: expect.any(String), email: account.email, status: "active" }]);
    const ids = new Set(answers.map((answer) => (answer.body.data as { id: string }).id));
    expect(ids).toEqual(new Set([rows[0]?.id]));
    const me = answers[0]?.body.data as { roles: Array<{ name: string }> };
    expect(me.roles.map((role) => role.name)).toEqual(["user"]);
    const audits = await t.query<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'user.provisioned' AND user_id = ${rows[0]?.id}`,
    );
    expect(audits).toEqual([{ n: 1 }]);
    // Keycloak holds the credentials: no password signs in to the local row.
    const login = await post(t, "/api/v1/auth/login", { email: account.email, password: REALM_PASSWORD });
    expect(login.status).toBe(401);
    // Seen again: the same user, nobody new.
    expect((await get(t, "/api/v1/auth/me", account.token)).status).toBe(200);
    expect(await rowsOf(account.keycloakId)).toHaveLength(1);
  }, 120_000);

  it("refuses an account whose email Keycloak has not verified: 401 INVALID_TOKEN, nothing created", async () => {
    const account = await realmAccount({ emailVerified: false });
    const answer = await get(t, "/api/v1/auth/me", account.token);
    expect([answer.status, errorCode(answer.body)]).toEqual([401, "INVALID_TOKEN"]);
    expect(await rowsOf(account.keycloakId)).toEqual([]);
    expect(await t.query(sql`SELECT id FROM users WHERE email = ${account.email}`)).toEqual([]);
  }, 120_000);

  it("never provisions onto a local account holding the email: 401, and the local account stays unlinked", async () => {
    const local = uniqueUser("kcl");
    const localId = await register(t, local);
    const account = await realmAccount({ emailVerified: true, email: local.email });
    const answer = await get(t, "/api/v1/auth/me", account.token);
    expect([answer.status, errorCode(answer.body)]).toEqual([401, "INVALID_TOKEN"]);
    expect(await rowsOf(account.keycloakId)).toEqual([]);
    expect(await t.query(sql`SELECT keycloak_id FROM users WHERE id = ${localId}`)).toEqual([{ keycloak_id: null }]);
  }, 120_000);
});
