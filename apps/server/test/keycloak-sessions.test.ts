import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Keycloak, KeycloakGate, keycloakMissing, sharedKeycloak, type TestRealm } from "./support/keycloak.js";
import { type LiveServer, secretsIn, startLiveServer } from "./support/live-server.js";
import { BOOTSTRAP_ENV } from "./support/rbac.js";
import { sql, uniqueUser } from "./support/test-server.js";

type Json = Record<string, unknown>;

// Password-grant login, refresh and logout against a real Keycloak 26: a password-grant login keeps Keycloak's refresh
// token sealed for the Gatehouse session; a refresh asks Keycloak (the buffer exceeds the realm's
// token life, so every refresh is "near expiry") and an admin-ended Keycloak session ends the
// Gatehouse one; logout logs the Keycloak session out through the outbox, even while Keycloak is down.
describe.skipIf(keycloakMissing())("Keycloak sessions behind password-grant logins", () => {
  let keycloak: Keycloak;
  let realm: TestRealm;
  let gate: KeycloakGate;
  let live: LiveServer;

  beforeAll(async () => {
    keycloak = await sharedKeycloak();
    realm = await keycloak.createRealm();
    gate = await KeycloakGate.open(keycloak.url);
    live = await startLiveServer({
      ...BOOTSTRAP_ENV,
      IDENTITY_BACKEND: "keycloak",
      KEYCLOAK_URL: gate.url,
      KEYCLOAK_REALM: realm.name,
      KEYCLOAK_CLIENT_ID: realm.appClient.id,
      KEYCLOAK_CLIENT_SECRET: realm.appClient.secret,
      KEYCLOAK_ADMIN_CLIENT_ID: realm.backendClient.id,
      KEYCLOAK_ADMIN_CLIENT_SECRET: realm.backendClient.secret,
      KEYCLOAK_PASSWORD_GRANT: "true",
      KEYCLOAK_TOKEN_EXPIRY_BUFFER_SECONDS: "3600",
      KEYCLOAK_TIMEOUT_MS: "5000",
    });
  }, 300_000);
  afterAll(async () => {
    await live?.close();
    await gate?.close();
    await keycloak?.deleteRealm(realm);
  });

  async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 30_000): Promise<T> {
    const until = Date.now() + ms;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > until) throw new Error(`never converged: ${JSON.stringify(value)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  const kcId = async (id: string) =>
    (await live.t.query<{ keycloak_id: string | null }>(sql`SELECT keycloak_id FROM users WHERE id = ${id}`))[0]
      ?.keycloak_id ?? null;
  const kcSessions = (keycloakId: string) =>
    keycloak.admin<Array<{ id: string }>>("GET", `/${realm.name}/users/${keycloakId}/sessions`);
  const held = (familyId: string) =>
    live.t.query<{ refresh_token_ciphertext: string }>(
      sql`SELECT refresh_token_ciphertext FROM keycloak_sessions WHERE family_id = ${familyId}`,
    );

  /** A verified, synced user signed in once: its Gatehouse tokens and Keycloak id. */
  async function signedIn() {
    const user = uniqueUser("kcs");
    const response = await live.call("POST", "/api/v1/register", user);
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    const id = (response.body.data as { id: string }).id;
    const { code } = secretsIn(await live.smtp.waitForMail(user.email, 1));
    expect((await live.call("POST", "/api/v1/register/verify", { email: user.email, code })).status).toBe(200);
    await eventually(
      () => live.t.query<{ s: string }>(sql`SELECT keycloak_sync_status AS s FROM users WHERE id = ${id}`),
      (rows) => rows[0]?.s === "synced",
    );
    const keycloakId = (await kcId(id)) as string;
    const login = await live.call("POST", "/api/v1/auth/login", { email: user.email, password: user.password });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    const data = login.body.data as { access_token: string; refresh_token: string };
    const claims = JSON.parse(Buffer.from(data.access_token.split(".")[1] as string, "base64url").toString()) as Json;
    return { id, keycloakId, ...data, familyId: claims.sid as string };
  }

  it("login keeps Keycloak's refresh token sealed (never plaintext); a refresh renews it", async () => {
    const s = await signedIn();
    const [row] = await held(s.familyId);
    expect(row?.refresh_token_ciphertext).toMatch(/^v1:k1:/);
    // A Keycloak refresh token is a JWT (eyJ…): none of it is stored in the clear.
    expect(row?.refresh_token_ciphertext).not.toContain("eyJ");
    expect((await kcSessions(s.keycloakId)).length).toBe(1);
    const refreshed = await live.call("POST", "/api/v1/auth/refresh", { refresh_token: s.refresh_token });
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
    const [after] = await held(s.familyId);
    expect(after?.refresh_token_ciphertext).not.toBe(row?.refresh_token_ciphertext);
  }, 120_000);

  it("a session ended by the Keycloak admin ends the Gatehouse session on the next refresh", async () => {
    const s = await signedIn();
    await keycloak.admin("POST", `/${realm.name}/users/${s.keycloakId}/logout`);
    const refreshed = await live.call("POST", "/api/v1/auth/refresh", { refresh_token: s.refresh_token });
    expect([refreshed.status, (refreshed.body.error as Json).code]).toEqual([401, "REFRESH_TOKEN_REVOKED"]);
    expect(await held(s.familyId)).toEqual([]);
    // Audited like a session its owner ended, with the reason.
    const audited = await live.t.query<Json>(
      sql`SELECT user_id, details FROM audit_logs WHERE action = 'auth.session_revoked' AND resource_id = ${s.familyId}`,
    );
    expect(audited).toEqual([{ user_id: s.id, details: { reason: "identity_backend_ended" } }]);
  }, 120_000);

  it("logout logs the Keycloak session out; with Keycloak down it succeeds and the queued logout completes later", async () => {
    const s = await signedIn();
    const out = await live.call("POST", "/api/v1/auth/logout", {}, s.access_token);
    expect(out.status, JSON.stringify(out.body)).toBeLessThan(300);
    await eventually(
      () => kcSessions(s.keycloakId),
      (list) => list.length === 0,
    );

    const t = await signedIn();
    expect((await kcSessions(t.keycloakId)).length).toBe(1);
    await gate.down();
    try {
      const down = await live.call("POST", "/api/v1/auth/logout", {}, t.access_token);
      expect(down.status, JSON.stringify(down.body)).toBeLessThan(300);
      const queued = await live.t.query<{ secret_ciphertext: string }>(
        sql`SELECT secret_ciphertext FROM keycloak_sync_operations WHERE user_id = ${t.id} AND operation = 'logout_session'`,
      );
      expect(queued.length).toBe(1);
      expect(queued[0]?.secret_ciphertext).not.toContain("eyJ");
    } finally {
      await gate.up();
    }
    await eventually(
      () => kcSessions(t.keycloakId),
      (list) => list.length === 0,
      60_000,
    );
    const audited = await live.t.query<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'keycloak.session_logged_out' AND user_id = ${t.id}`,
    );
    expect(audited[0]?.n).toBe(1);
  }, 180_000);
});
