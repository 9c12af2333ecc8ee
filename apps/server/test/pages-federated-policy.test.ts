import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { totpCode } from "./support/mfa.js";
import { CALLBACK, callback, envFor, PUBLIC, subject } from "./support/oauth-flow.js";
import { startOidcProvider, type TestOpenIdProvider } from "./support/oidc-provider.js";
import { startTestServer, type TestServer, testDatabaseKinds } from "./support/test-server.js";

const FORM = { "content-type": "application/x-www-form-urlencoded" };

// The provider buttons under MFA_POLICY=required, driven by inject against the real composition
// and the test OpenID provider (pages-federated.test.ts drives the browser flows): a provider
// sign-in of a user without a factor gets the same enrolment page as a password sign-in.
describe.each(testDatabaseKinds())("hosted federated sign-in under MFA_POLICY=required (%s)", (kind) => {
  let provider: TestOpenIdProvider;
  let t: TestServer;

  beforeAll(async () => {
    provider = await startOidcProvider({ redirectUris: [CALLBACK] });
    t = await startTestServer(envFor(provider, { MFA_POLICY: "required" }), kind);
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    await provider?.close();
  });

  /** The button, the provider, the API's callback: answers the return URL and the verifier cookie. */
  async function throughProvider(sub: string) {
    const started = await t.app.inject({ method: "GET", url: "/login/federated/acme" });
    expect(started.statusCode, started.body).toBe(303);
    const verifier = started.cookies.find((c) => c.name === "gh_federated");
    expect(verifier).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/login/federated" });
    const back = await callback(t, await provider.signIn(String(started.headers.location), sub));
    expect(back.statusCode, back.body).toBe(302);
    const landing = new URL(String(back.headers.location));
    expect(`${landing.origin}${landing.pathname}`).toBe(`${PUBLIC}/login/federated`);
    return { url: `${landing.pathname}${landing.search}`, verifier: verifier?.value ?? "" };
  }

  it("a new provider user is shown the app enrolment, whose code signs in", async () => {
    const sub = subject();
    provider.accounts.set(sub, { email: `${sub}@example.com`, email_verified: true });
    const { url, verifier } = await throughProvider(sub);
    const page = await t.app.inject({ method: "GET", url, cookies: { gh_federated: verifier } });
    expect(page.statusCode, page.body).toBe(200);
    expect(page.headers["cache-control"]).toBe("no-store");
    expect(page.body).toContain('action="/mfa/enrol"');
    expect(page.cookies.find((c) => c.name === "gh_session")).toBeUndefined();
    // The verifier is spent with the code.
    expect(page.cookies.find((c) => c.name === "gh_federated")?.value).toBe("");

    const secret = /<code id="totp-secret">([A-Z2-7]+)<\/code>/.exec(page.body)?.[1] ?? "";
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? "";
    const csrf = page.cookies.find((c) => c.name === "gh_csrf")?.value ?? "";
    const mfaToken = /name="mfa_token" value="([^"]+)"/.exec(page.body)?.[1] ?? "";
    const done = await t.app.inject({
      method: "POST",
      url: "/mfa/enrol",
      cookies: { gh_csrf: csrf },
      headers: FORM,
      payload: new URLSearchParams({
        _csrf: token,
        mfa_token: mfaToken,
        code: totpCode(secret, t.clock.now()),
      }).toString(),
    });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.cookies.find((c) => c.name === "gh_session")?.httpOnly).toBe(true);
  });

  it("a code without the verifier that started it is refused, and spent: it fails with the verifier too", async () => {
    const sub = subject();
    provider.accounts.set(sub, { email: `${sub}@example.com`, email_verified: true });
    const { url, verifier } = await throughProvider(sub);
    const planted = await t.app.inject({ method: "GET", url });
    expect(planted.statusCode).toBe(400);
    expect(planted.body).toContain('role="alert"');
    expect(planted.body).toContain("used already");
    const again = await t.app.inject({ method: "GET", url, cookies: { gh_federated: verifier } });
    expect(again.statusCode).toBe(400);
    expect(again.cookies.find((c) => c.name === "gh_session")).toBeUndefined();
  });

  it("an unknown provider and a provider's error show the catalogue's text on the sign-in form", async () => {
    const unknown = await t.app.inject({ method: "GET", url: "/login/federated/nosuch" });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain("That sign-in provider is not available.");
    expect(unknown.body).toContain('action="/login"');
    const denied = await t.app.inject({ method: "GET", url: "/login/federated?error=access_denied" });
    expect(denied.statusCode).toBe(400);
    expect(denied.body).toContain("cancelled or refused");
    expect(denied.body).not.toContain("access_denied");
  });
});
