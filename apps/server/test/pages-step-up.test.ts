import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logIn, post, register } from "./support/http.js";
import { MFA_TEST_ENV, totpCode } from "./support/mfa.js";
import { BOOTSTRAP_ENV, ROOT } from "./support/rbac.js";
import { startTestServer, type TestServer, uniqueUser } from "./support/test-server.js";

const FORM = { "content-type": "application/x-www-form-urlencoded" };
const NEW_PASSWORD = "Granite-Harbor-7305";

// The API's step-up rule on the hosted account page, driven by inject against the real
// composition: the page session is an API session (its cookie holds the refresh secret).
describe("step-up on the hosted account page", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ ...MFA_TEST_ENV, ...BOOTSTRAP_ENV });
  });
  afterAll(async () => {
    await t.close();
  });

  async function accountPage(secret: string, url = "/account") {
    const page = await t.app.inject({ method: "GET", url, cookies: { gh_session: secret } });
    expect(page.statusCode, page.body).toBe(200);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? "";
    const csrf = page.cookies.find((cookie) => cookie.name === "gh_csrf")?.value ?? "";
    return { body: page.body, token, csrf };
  }
  async function submit(secret: string, url: string, fields: Record<string, string>) {
    const { token, csrf } = await accountPage(secret);
    return t.app.inject({
      method: "POST",
      url,
      cookies: { gh_session: secret, gh_csrf: csrf },
      headers: FORM,
      payload: new URLSearchParams({ _csrf: token, ...fields }).toString(),
    });
  }

  /** A user who enrolled an app from a password session: that session (aal1) is the page's. */
  async function guardedPageSession() {
    const user = uniqueUser("pagestep");
    await register(t, user);
    const session = await logIn(t, user);
    const started = await post(t, "/api/v1/users/me/mfa/totp", undefined, session.accessToken);
    const secret = (started.body.data as { secret: string }).secret;
    const confirmed = await post(
      t,
      "/api/v1/users/me/mfa/totp/verify",
      { code: totpCode(secret, t.clock.now()) },
      session.accessToken,
    );
    expect(confirmed.status).toBe(200);
    t.clock.advance(30);
    return { user, cookie: session.refreshToken, secret };
  }

  it("refuses a sensitive form until the session confirms a code, then lets it through for five minutes", async () => {
    const { user, cookie, secret } = await guardedPageSession();
    expect((await accountPage(cookie)).body).toContain('action="/account/step-up"');

    const refused = await submit(cookie, "/account/password", {
      current_password: user.password,
      new_password: NEW_PASSWORD,
    });
    expect(refused.statusCode).toBe(401);
    expect(refused.body).toContain("This change needs a recent second factor.");
    // Nothing changed: the old password still signs in (to its second step).
    const stillOld = await post(t, "/api/v1/auth/login", { email: user.email, password: user.password });
    expect((stillOld.body.data as { mfa_required?: boolean }).mfa_required).toBe(true);

    const wrong = await submit(cookie, "/account/step-up", { method: "totp", code: "000000" });
    expect(wrong.statusCode).toBe(400);
    const raised = await submit(cookie, "/account/step-up", { method: "totp", code: totpCode(secret, t.clock.now()) });
    expect([raised.statusCode, raised.headers.location]).toEqual([303, "/account?notice=stepped_up"]);
    const fresh = await accountPage(cookie, "/account?notice=stepped_up");
    expect(fresh.body).toContain("Confirmed. For the next five minutes");
    expect(fresh.body).not.toContain('action="/account/step-up"');

    const changed = await submit(cookie, "/account/password", {
      current_password: user.password,
      new_password: NEW_PASSWORD,
    });
    expect([changed.statusCode, changed.headers.location]).toEqual([303, "/account?notice=password_changed"]);

    // Five minutes on, the proof is stale again: deletion is refused and the form is back.
    t.clock.advance(301);
    const stale = await accountPage(cookie);
    expect(stale.body).toContain('action="/account/step-up"');
    const deletion = await submit(cookie, "/account/delete", { confirm: "yes", password: NEW_PASSWORD });
    expect(deletion.statusCode).toBe(401);
  });

  it("asks nothing of an account without a factor: no step-up form, the password changes at once", async () => {
    const user = uniqueUser("pageplain");
    await register(t, user);
    const session = await logIn(t, user);
    expect((await accountPage(session.refreshToken)).body).not.toContain('action="/account/step-up"');
    const changed = await submit(session.refreshToken, "/account/password", {
      current_password: user.password,
      new_password: NEW_PASSWORD,
    });
    expect(changed.statusCode).toBe(303);
  });
  it("asks an operator with a factor for aal2 on the console, and for a fresh proof before a change", async () => {
    const root = await logIn(t, ROOT);
    const started = await post(t, "/api/v1/users/me/mfa/totp", undefined, root.accessToken);
    const secret = (started.body.data as { secret: string }).secret;
    await post(t, "/api/v1/users/me/mfa/totp/verify", { code: totpCode(secret, t.clock.now()) }, root.accessToken);
    t.clock.advance(30);
    const cookie = root.refreshToken;
    const openConsole = () => t.app.inject({ method: "GET", url: "/admin", cookies: { gh_session: cookie } });
    const refused = await openConsole();
    expect(refused.statusCode).toBe(401);
    expect(refused.body).toContain("This change needs a recent second factor.");

    const raised = await submit(cookie, "/account/step-up", { method: "totp", code: totpCode(secret, t.clock.now()) });
    expect(raised.statusCode).toBe(303);
    expect((await openConsole()).statusCode).toBe(200);

    // Hours later the session is still aal2, so the console reads; a change needs a fresh proof.
    t.clock.advance(3600);
    expect((await openConsole()).statusCode).toBe(200);
    const target = uniqueUser("target");
    const targetId = await register(t, target);
    const page = await t.app.inject({
      method: "GET",
      url: `/admin/users/${targetId}`,
      cookies: { gh_session: cookie },
    });
    expect(page.statusCode).toBe(200);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? "";
    const csrf = page.cookies.find((c) => c.name === "gh_csrf")?.value ?? "";
    const suspend = await t.app.inject({
      method: "POST",
      url: `/admin/users/${targetId}/suspend`,
      cookies: { gh_session: cookie, gh_csrf: csrf },
      headers: FORM,
      payload: new URLSearchParams({ _csrf: token, reason: "step-up test" }).toString(),
    });
    expect(suspend.statusCode).toBe(401);
    const still = await t.app.inject({
      method: "GET",
      url: `/admin/users/${targetId}`,
      cookies: { gh_session: cookie },
    });
    expect(still.body).not.toContain("step-up test");
  });
});
