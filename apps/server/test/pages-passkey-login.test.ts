import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { post, registerAndLogIn } from "./support/http.js";
import { MFA_TEST_ENV, mfaFlows } from "./support/mfa.js";
import { SoftAuthenticator } from "./support/soft-authenticator.js";
import { startTestServer, type TestServer, testDatabaseKinds, uniqueUser } from "./support/test-server.js";

type Json = Record<string, unknown>;
const FORM = { "content-type": "application/x-www-form-urlencoded" };

// /login's passwordless "Sign in with a passkey" by inject, with the software authenticator
// (real verification): the options, the assertion in the form, and every refusal shown with the
// catalogue's text. The ceremony in Chromium is in pages-sign-in-browser.test.ts.
describe.each(testDatabaseKinds())("passwordless passkey sign-in on the hosted pages (%s)", (kind) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(MFA_TEST_ENV, kind);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });
  const { registerPasskey } = mfaFlows(() => t);

  /** /login's form token and the cookie it pairs with, as the browser holding the page has them. */
  async function loginForm() {
    const page = await t.app.inject({ method: "GET", url: "/login" });
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? "";
    const csrf = page.cookies.find((cookie) => cookie.name === "gh_csrf")?.value ?? "";
    return { body: page.body, token, csrf };
  }

  async function postLogin(path: string, fields: Record<string, string>, withToken = true) {
    const { token, csrf } = await loginForm();
    return t.app.inject({
      method: "POST",
      url: path,
      cookies: { gh_csrf: csrf },
      headers: FORM,
      payload: new URLSearchParams({ ...fields, ...(withToken ? { _csrf: token } : {}) }).toString(),
    });
  }

  /** The challenge pages.js fetches, as the page's script does (the form's fields, CSRF token included). */
  async function pageChallenge(): Promise<string> {
    const options = await postLogin("/login/passkey-options", {});
    expect(options.statusCode, options.body).toBe(200);
    const body = options.json() as { challenge: string; allowCredentials?: unknown[]; userVerification?: string };
    // Nothing about any account: the browser offers whichever discoverable passkey it holds.
    expect(body.allowCredentials ?? []).toEqual([]);
    expect(body.userVerification).toBe("required");
    return body.challenge;
  }

  const signIn = (assertion: Json | string) =>
    postLogin("/login/passkey", { assertion: typeof assertion === "string" ? assertion : JSON.stringify(assertion) });

  async function withPasskey() {
    const user = uniqueUser("pgpk");
    const session = await registerAndLogIn(t, user);
    const authenticator = new SoftAuthenticator();
    await registerPasskey(authenticator, session.accessToken);
    return { user, session, authenticator };
  }

  it("/login has the button, hidden until pages.js finds WebAuthn; the password form stands alone", async () => {
    const { body } = await loginForm();
    expect(body).toContain('<section aria-labelledby="passkey-title" class="passkey" data-passkey-section hidden>');
    expect(body).toContain('data-options="/login/passkey-options"');
    expect(body).toContain('<button type="button" data-passkey-start hidden>Sign in with a passkey</button>');
    expect(body).toContain('<form method="post" action="/login" novalidate>');
  });

  it("the passkey's assertion signs in like a password: the session cookie, then /account", async () => {
    const { user, authenticator } = await withPasskey();
    const done = await signIn(authenticator.get(await pageChallenge()));
    expect([done.statusCode, done.headers.location]).toEqual([303, "/account"]);
    const session = done.cookies.find((cookie) => cookie.name === "gh_session");
    expect(session?.httpOnly).toBe(true);
    const account = await t.app.inject({
      method: "GET",
      url: "/account",
      cookies: { gh_session: session?.value ?? "" },
    });
    expect(account.statusCode).toBe(200);
    expect(account.body).toContain(user.email);
  });

  it("refuses a replayed, an unknown and a malformed assertion with the catalogue's text, and no session", async () => {
    const { authenticator } = await withPasskey();
    const assertion = authenticator.get(await pageChallenge());
    expect((await signIn(assertion)).statusCode).toBe(303);
    const replayed = await signIn(assertion);
    expect(replayed.statusCode).toBe(400);
    expect(replayed.body).toContain("The passkey request expired or was used already. Try again.");

    const stranger = await signIn(new SoftAuthenticator().get(await pageChallenge()));
    expect(stranger.statusCode).toBe(401);
    expect(stranger.body).toContain("That passkey could not sign you in. Try again, or sign in with your password.");
    const malformed = await signIn("{not json");
    expect(malformed.statusCode).toBe(400);
    expect(malformed.body).toContain("Passkey answer could not be read");
    for (const refused of [replayed, stranger, malformed]) {
      expect(refused.body).toContain('role="alert"');
      expect(refused.cookies.map((cookie) => cookie.name)).not.toContain("gh_session");
    }
  });

  it("a deactivated account gets the reactivation page after the proof; posts without the token are refused", async () => {
    const { user, session, authenticator } = await withPasskey();
    const gone = await post(t, "/api/v1/users/me/deactivate", { password: user.password }, session.accessToken);
    expect(gone.status).toBe(200);
    const blocked = await signIn(authenticator.get(await pageChallenge()));
    expect(blocked.statusCode).toBe(403);
    expect(blocked.body).toContain("<h1>Your account is deactivated</h1>");
    expect(blocked.cookies.map((cookie) => cookie.name)).not.toContain("gh_session");

    const tokenless = await postLogin("/login/passkey-options", {}, false);
    expect(tokenless.statusCode).toBe(403);
    const assertion = JSON.stringify(authenticator.get(await pageChallenge()));
    const tokenlessLogin = await postLogin("/login/passkey", { assertion }, false);
    expect(tokenlessLogin.statusCode).toBe(403);
    expect(tokenlessLogin.body).toContain("This form has expired or was not sent from this site");
  });
});

describe("without PASSKEY_LOGIN", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ ...MFA_TEST_ENV, PASSKEY_LOGIN: "false" });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it("/login has no passkey button and the routes are absent", async () => {
    const page = await t.app.inject({ method: "GET", url: "/login" });
    expect(page.body).not.toContain("Sign in with a passkey");
    expect(page.body).not.toContain("data-passkey");
    const options = await t.app.inject({ method: "POST", url: "/login/passkey-options", headers: FORM, payload: "" });
    expect(options.statusCode).toBe(404);
  });
});
