import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { post, sendWith } from "./support/http.js";
import { claimsOf, MFA_TEST_ENV, mfaFlows, sha256, totpCode } from "./support/mfa.js";
import { SoftAuthenticator } from "./support/soft-authenticator.js";
import { sql, startTestServer, type TestServer } from "./support/test-server.js";

describe("every token-issuing route respects second factors", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(MFA_TEST_ENV);
  });
  afterAll(async () => {
    await t.close();
  });
  const { enrol, challenge, verify, nextStep, registerPasskey, verifyWithPasskey, passkeyChallenge } = mfaFlows(
    () => t,
  );

  /**
   * Every route whose 200 answer can carry an access token, from the OpenAPI document: each must
   * be covered below, so a new token-issuing route fails this test until it is shown to respect
   * second factors.
   */
  it("no token-issuing route hands a user with a factor a new aal1 session", async () => {
    const document = (await t.app.inject({ method: "GET", url: "/openapi.json" })).json() as {
      paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
    };
    const schemas = (document as { components?: { schemas?: Record<string, unknown> } }).components?.schemas ?? {};
    // Whether a schema (following $refs) has a property named access_token anywhere inside.
    const carriesToken = (node: unknown, seen: Set<string>): boolean => {
      if (Array.isArray(node)) return node.some((item) => carriesToken(item, seen));
      if (node === null || typeof node !== "object") return false;
      const record = node as Record<string, unknown>;
      const ref = typeof record.$ref === "string" ? record.$ref.split("/").pop() : undefined;
      if (ref !== undefined) return !seen.has(ref) && carriesToken(schemas[ref], new Set([...seen, ref]));
      const properties = record.properties as Record<string, unknown> | undefined;
      if (properties !== undefined && "access_token" in properties) return true;
      return Object.values(record).some((value) => carriesToken(value, seen));
    };
    const issuing = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, operation]) => carriesToken(operation.responses?.["200"], new Set()))
        .map(([method]) => `${method.toUpperCase()} ${path}`),
    );
    const { user, userId, secret } = await enrol();
    const checks: Record<string, () => Promise<void>> = {
      "POST /api/v1/auth/login": async () => {
        const data = await challenge(user);
        expect(data.mfa_required).toBe(true);
        expect(data).not.toHaveProperty("access_token");
      },
      "POST /api/v1/auth/oauth/token": async () => {
        const code = `handoff-${Date.now()}`;
        // Expiry on the server's (advanced) clock.
        const expiresAt = new Date(t.clock.now().getTime() + 60_000).toISOString();
        await t.query(
          sql`INSERT INTO oauth_handoff_codes (code_hash, user_id, provider, expires_at) VALUES (${sha256(code)}, ${userId}, 'github', ${expiresAt})`,
        );
        const answer = await post(t, "/api/v1/auth/oauth/token", { code });
        expect(answer.status).toBe(200);
        expect(answer.body.data).toMatchObject({ mfa_required: true });
        expect(answer.body.data).not.toHaveProperty("access_token");
      },
      "POST /api/v1/auth/mfa/verify": async () => {
        const data = await challenge(user);
        const done = await verify({ mfa_token: data.mfa_token, method: "totp", code: totpCode(secret, t.clock.now()) });
        expect(claimsOf((done.body.data as { access_token: string }).access_token).acr).toBe("aal2");
        nextStep();
      },
      "POST /api/v1/auth/passkey/login": async () => {
        // A passkey added from an aal2 session (the user's TOTP guards the account), then used
        // passwordless: the only way in without the password is itself two factors.
        const data = await challenge(user);
        const done = await verify({ mfa_token: data.mfa_token, method: "totp", code: totpCode(secret, t.clock.now()) });
        nextStep();
        const authenticator = new SoftAuthenticator();
        await registerPasskey(authenticator, (done.body.data as { access_token: string }).access_token);
        const signedIn = await post(t, "/api/v1/auth/passkey/login", {
          assertion: authenticator.get(await passkeyChallenge()),
        });
        expect(signedIn.status).toBe(200);
        expect(claimsOf((signedIn.body.data as { access_token: string }).access_token)).toMatchObject({
          acr: "aal2",
          amr: ["hwk", "user"],
        });
        // And the same passkey as the second step of a password login: aal2 too.
        const held = await challenge(user);
        expect(held.factors).toContain("webauthn");
        const second = await verifyWithPasskey(authenticator, held.mfa_token as string);
        expect(claimsOf((second.body.data as { access_token: string }).access_token).acr).toBe("aal2");
      },
      "POST /api/v1/auth/mfa/enroll/totp/verify": async () => {
        // Only an enrolment-only token (MFA_POLICY, a user with no factor) finishes there: a
        // login's token, the only kind this user can get, is refused and opens nothing.
        const data = await challenge(user);
        const code = totpCode(secret, t.clock.now());
        const refused = await sendWith(t, "POST", "/api/v1/auth/mfa/enroll/totp/verify", {
          payload: { mfa_token: data.mfa_token, code },
          headers: { "user-agent": "mfa-test" },
        });
        expect([refused.status, refused.body]).toMatchObject([401, { success: false }]);
        expect(refused.body).not.toHaveProperty("data");
      },
      "POST /api/v1/auth/mfa/step-up": async () => {
        // Only a proven factor raises a session; without one the answer carries no token at all.
        const data = await challenge(user);
        const done = await verify({ mfa_token: data.mfa_token, method: "totp", code: totpCode(secret, t.clock.now()) });
        nextStep();
        const token = (done.body.data as { access_token: string }).access_token;
        const refused = await post(t, "/api/v1/auth/mfa/step-up", { method: "totp", code: "000000" }, token);
        expect(refused.status).toBe(400);
        expect(refused.body).not.toHaveProperty("data");
        const raised = await post(
          t,
          "/api/v1/auth/mfa/step-up",
          { method: "totp", code: totpCode(secret, t.clock.now()) },
          token,
        );
        expect(claimsOf((raised.body.data as { access_token: string }).access_token).acr).toBe("aal2");
        nextStep();
      },
      "POST /api/v1/auth/refresh": async () => {
        const data = await challenge(user);
        const done = await verify({ mfa_token: data.mfa_token, method: "totp", code: totpCode(secret, t.clock.now()) });
        nextStep();
        const refreshToken = (done.body.data as { refresh_token: string }).refresh_token;
        const refreshed = await post(t, "/api/v1/auth/refresh", { refresh_token: refreshToken });
        expect(claimsOf((refreshed.body.data as { access_token: string }).access_token).acr).toBe("aal2");
      },
    };
    expect(issuing.sort()).toEqual(Object.keys(checks).sort());
    for (const route of issuing) await checks[route]?.();
  });
});
