import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCode, get, post, register } from "./support/http.js";
import { APP, CALLBACK, callback, envFor, exchange, PUBLIC, signIn, start, subject } from "./support/oauth-flow.js";
import { startOidcProvider, type TestOpenIdProvider } from "./support/oidc-provider.js";
import { sql, startTestServer, type TestServer, testDatabaseKinds, uniqueUser } from "./support/test-server.js";

describe.each(testDatabaseKinds())("federated login with a real OpenID Provider on %s", (kind) => {
  let provider: TestOpenIdProvider;
  let t: TestServer;

  beforeAll(async () => {
    provider = await startOidcProvider({ redirectUris: [CALLBACK, `${PUBLIC}/api/auth/oauth/callback`] });
    t = await startTestServer(envFor(provider), kind);
  });
  afterAll(async () => {
    await t?.close();
    await provider?.close();
  });

  it("signs a new user up, hands the app a one-time code, and the code buys the login answer", async () => {
    const id = subject();
    provider.accounts.set(id, { email: `${id}@example.com`, email_verified: true, name: "Ada Lovelace" });
    const authorize = new URL(await start(t));
    expect(authorize.origin).toBe(provider.issuer);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("nonce")).toBeTruthy();
    expect(authorize.searchParams.get("redirect_uri")).toBe(CALLBACK);
    const back = await provider.signIn(authorize.href, id);
    const reply = await callback(t, back);
    const app = new URL(String(reply.headers.location));
    expect(`${app.origin}${app.pathname}`).toBe(APP);
    expect(app.searchParams.get("state")).toBe("app-state");
    const code = app.searchParams.get("code") as string;
    expect(code).toBeTruthy();

    const tokens = await exchange(t, code);
    expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
    const data = tokens.body.data as { access_token: string; user: { email: string; id: string } };
    expect(data.user.email).toBe(`${id}@example.com`);
    const me = await get(t, "/api/v1/auth/me", data.access_token);
    expect(me.status).toBe(200);
    const [row] = await t.query<{ status: string; email_verified_at: Date | null }>(
      sql`SELECT status, email_verified_at FROM users WHERE id = ${data.user.id}`,
    );
    expect(row?.status).toBe("active");
    expect(row?.email_verified_at).not.toBeNull();
    const stored = await t.query<{ code_hash: string }>(sql`SELECT code_hash FROM oauth_handoff_codes`);
    expect(stored.map((r) => r.code_hash)).not.toContain(code);
    const actions = await t.query<{ action: string }>(
      sql`SELECT action FROM audit_logs WHERE user_id = ${data.user.id} ORDER BY timestamp`,
    );
    expect(actions.map((a) => a.action)).toEqual(["auth.identity_link", "auth.oauth_login"]);

    // One-time code reuse: the second exchange fails.
    const again = await exchange(t, code);
    expect(again.status).toBe(400);
    expect(errorCode(again.body)).toBe("OAUTH_CODE_INVALID");
  });

  it("signs a returning user in to the same account", async () => {
    const id = subject();
    provider.accounts.set(id, { email: `${id}@example.com`, email_verified: true });
    const first = await exchange(t, (await signIn(t, provider, id)).searchParams.get("code") as string);
    const second = await exchange(t, (await signIn(t, provider, id)).searchParams.get("code") as string);
    expect((second.body.data as { user: { id: string } }).user.id).toBe(
      (first.body.data as { user: { id: string } }).user.id,
    );
  });

  it("links into a local account only when both sides verified the address", async () => {
    const local = uniqueUser("verified");
    const userId = await register(t, local);
    await t.query(sql`UPDATE users SET email_verified_at = now() WHERE id = ${userId}`);
    const id = subject();
    provider.accounts.set(id, { email: local.email, email_verified: true });
    const tokens = await exchange(t, (await signIn(t, provider, id)).searchParams.get("code") as string);
    expect((tokens.body.data as { user: { id: string } }).user.id).toBe(userId);

    const unverifiedClaim = uniqueUser("claimless");
    const otherId = await register(t, unverifiedClaim);
    await t.query(sql`UPDATE users SET email_verified_at = now() WHERE id = ${otherId}`);
    const sub2 = subject();
    provider.accounts.set(sub2, { email: unverifiedClaim.email, email_verified: false });
    const refused = await signIn(t, provider, sub2);
    expect(refused.searchParams.get("error")).toBe("account_exists");
    expect(refused.searchParams.get("code")).toBeNull();
  });

  it("pre-account takeover: a pending registration of the victim's address is discarded, never linked into", async () => {
    const strict = await startTestServer(envFor(provider, { REQUIRE_EMAIL_VERIFICATION: "true" }), kind);
    try {
      const victim = uniqueUser("victim");
      const attackerId = await register(strict, victim); // the attacker registers the address first
      const id = subject();
      provider.accounts.set(id, { email: victim.email, email_verified: true });
      const app = await signIn(strict, provider, id);
      const tokens = await exchange(strict, app.searchParams.get("code") as string);
      expect(tokens.status).toBe(200);
      const userId = (tokens.body.data as { user: { id: string } }).user.id;
      expect(userId).not.toBe(attackerId);
      const left = await strict.query<{ id: string }>(sql`SELECT id FROM users WHERE id = ${attackerId}`);
      expect(left).toEqual([]);
      // The attacker's password opens nothing.
      const login = await post(strict, "/api/v1/auth/login", { email: victim.email, password: victim.password });
      expect(login.status).toBe(401);
    } finally {
      await strict.close();
    }
  });

  it("refuses a missing, unknown, replayed or expired state with 400", async () => {
    const id = subject();
    provider.accounts.set(id, { email: `${id}@example.com`, email_verified: true });
    const back = await provider.signIn(await start(t), id);
    const missing = await t.app.inject({ method: "GET", url: `/api/v1/auth/oauth/acme/callback?code=x` });
    expect(missing.statusCode).toBe(400);
    expect(errorCode(missing.json())).toBe("OAUTH_STATE_INVALID");
    const unknown = await t.app.inject({ method: "GET", url: `/api/v1/auth/oauth/acme/callback?code=x&state=nope` });
    expect(errorCode(unknown.json())).toBe("OAUTH_STATE_INVALID");
    expect((await callback(t, back)).statusCode).toBe(302);
    const replay = await callback(t, back);
    expect(replay.statusCode).toBe(400);
    expect(errorCode(replay.json())).toBe("OAUTH_STATE_INVALID");

    const late = await provider.signIn(await start(t), id);
    t.clock.advance(11 * 60);
    try {
      const expired = await callback(t, late);
      expect(expired.statusCode).toBe(400);
      expect(errorCode(expired.json())).toBe("OAUTH_STATE_INVALID");
    } finally {
      t.clock.advance(-11 * 60);
    }
  });

  it("serves the unversioned callback alias, finding the provider from the state", async () => {
    const id = subject();
    provider.accounts.set(id, { email: `${id}@example.com`, email_verified: true });
    const back = await provider.signIn(await start(t), id);
    const reply = await callback(t, back, "/api/auth/oauth/callback");
    expect(reply.statusCode).toBe(302);
    expect(new URL(String(reply.headers.location)).searchParams.get("code")).toBeTruthy();
  });

  it("sends a nonce mismatch and a PKCE verifier mismatch back to the app as errors", async () => {
    const id = subject();
    provider.accounts.set(id, { email: `${id}@example.com`, email_verified: true });
    for (const column of ["nonce", "code_verifier"] as const) {
      const back = await provider.signIn(await start(t), id);
      const tampered = column === "nonce" ? "another-nonce" : "x".repeat(43);
      await t.query(sql`UPDATE oauth_states SET ${sql.raw(column)} = ${tampered}`);
      const reply = await callback(t, back);
      expect(reply.statusCode).toBe(302);
      const app = new URL(String(reply.headers.location));
      expect(app.searchParams.get("error")).toBe("provider_failed");
      expect(app.searchParams.get("code")).toBeNull();
    }
    const failures = await t.query<{ details: { reason: string } }>(
      sql`SELECT details FROM audit_logs WHERE action = 'auth.oauth_failed' AND status = 'failure'`,
    );
    expect(failures.map((f) => f.details.reason)).toContain("provider_failed");
  });

  it("passes a provider error (the user said no) to the app, never a 500", async () => {
    const id = subject();
    provider.accounts.set(id, { email: `${id}@example.com`, email_verified: true });
    const back = await provider.signIn(await start(t), id, { deny: true });
    const reply = await callback(t, back);
    expect(reply.statusCode).toBe(302);
    expect(new URL(String(reply.headers.location)).searchParams.get("error")).toBe("access_denied");
  });

  it("refuses a redirect_uri off the list before contacting the provider, and an unknown provider with 404", async () => {
    const off = await t.app.inject({
      method: "GET",
      url: `/api/v1/auth/oauth/acme?redirect_uri=${encodeURIComponent("https://evil.test/")}`,
    });
    expect(off.statusCode).toBe(400);
    expect(errorCode(off.json())).toBe("OAUTH_REDIRECT_URI_NOT_ALLOWED");
    expect(off.headers.location).toBeUndefined();
    const unknown = await t.app.inject({
      method: "GET",
      url: `/api/v1/auth/oauth/nobody?redirect_uri=${encodeURIComponent(APP)}`,
    });
    expect(unknown.statusCode).toBe(404);
    expect(errorCode(unknown.json())).toBe("OAUTH_PROVIDER_NOT_FOUND");
  });

  it("binds the one-time code to the app's PKCE challenge and lets it expire after 60 s", async () => {
    const id = subject();
    provider.accounts.set(id, { email: `${id}@example.com`, email_verified: true });
    const verifier = randomBytes(32).toString("base64url");
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    const query = `redirect_uri=${encodeURIComponent(APP)}&code_challenge=${challenge}&code_challenge_method=S256`;
    const wrong = await exchange(
      t,
      (await signIn(t, provider, id, query)).searchParams.get("code") as string,
      "y".repeat(43),
    );
    expect(errorCode(wrong.body)).toBe("OAUTH_CODE_INVALID");
    const right = await exchange(
      t,
      (await signIn(t, provider, id, query)).searchParams.get("code") as string,
      verifier,
    );
    expect(right.status).toBe(200);

    const late = (await signIn(t, provider, id)).searchParams.get("code") as string;
    t.clock.advance(61);
    try {
      const expired = await exchange(t, late);
      expect(errorCode(expired.body)).toBe("OAUTH_CODE_INVALID");
    } finally {
      t.clock.advance(-61);
    }
  });

  it("gives a suspended user the same refusal as password login", async () => {
    const id = subject();
    provider.accounts.set(id, { email: `${id}@example.com`, email_verified: true });
    const first = await exchange(t, (await signIn(t, provider, id)).searchParams.get("code") as string);
    const userId = (first.body.data as { user: { id: string } }).user.id;
    await t.query(sql`UPDATE users SET status = 'suspended' WHERE id = ${userId}`);
    const app = await signIn(t, provider, id);
    expect(app.searchParams.get("error")).toBe("account_suspended");
    expect(app.searchParams.get("code")).toBeNull();
  });
});

describe("an ID token signed by a key the issuer's JWKS does not hold", () => {
  // Starts its own provider and server inside the case: more than the default 30 s on a busy machine.
  it("is refused (non-repudiation checks are on)", { timeout: 90_000 }, async () => {
    const forged = await startOidcProvider({ redirectUris: [CALLBACK], foreignJwks: true });
    const t = await startTestServer(envFor(forged));
    try {
      const id = subject();
      forged.accounts.set(id, { email: `${id}@example.com`, email_verified: true });
      const app = await signIn(t, forged, id);
      expect(app.searchParams.get("error")).toBe("provider_failed");
      expect(app.searchParams.get("code")).toBeNull();
      const users = await t.query<{ id: string }>(sql`SELECT id FROM users WHERE email = ${`${id}@example.com`}`);
      expect(users).toEqual([]);
    } finally {
      await t.close();
      await forged.close();
    }
  });
});
