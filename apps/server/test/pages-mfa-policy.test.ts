import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { totpCode } from "./support/mfa.js";
import { BOOTSTRAP_ENV, ROOT } from "./support/rbac.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

const FORM = { "content-type": "application/x-www-form-urlencoded", "user-agent": "pages-policy" };

// The enrolment MFA_POLICY asks for, on the hosted sign-in: driven by inject against the real
// composition (the browser suites cover the same forms' markup, CSP and accessibility).
describe("hosted sign-in under MFA_POLICY=required_for_roles", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ ...BOOTSTRAP_ENV, MFA_POLICY: "required_for_roles=super_admin" });
  });
  afterAll(async () => {
    await t.close();
  });

  /** The CSRF token of a page's form and the cookie it pairs with. */
  async function csrfOf(url: string) {
    const page = await t.app.inject({ method: "GET", url, headers: { "user-agent": "pages-policy" } });
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? "";
    const cookie = page.cookies.find((c) => c.name === "gh_csrf")?.value ?? "";
    return { token, cookie };
  }
  const post = (url: string, csrf: { token: string; cookie: string }, fields: Record<string, string>) =>
    t.app.inject({
      method: "POST",
      url,
      cookies: { gh_csrf: csrf.cookie },
      headers: FORM,
      payload: new URLSearchParams({ _csrf: csrf.token, ...fields }).toString(),
    });
  const fieldOf = (body: string, name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(body)?.[1] ?? "";
  const secretOf = (body: string) => /<code id="totp-secret">([A-Z2-7]+)<\/code>/.exec(body)?.[1] ?? "";

  it("shows the covered user an app enrolment instead of a session, and signs in once the app is confirmed", async () => {
    const csrf = await csrfOf("/login");
    const login = await post("/login", csrf, { email: ROOT.email, password: ROOT.password });
    expect(login.statusCode).toBe(200);
    expect(login.cookies.find((c) => c.name === "gh_session")).toBeUndefined();
    expect(login.body).toContain('action="/mfa/enrol"');
    expect(login.body).toMatch(/src="data:image\/svg\+xml;base64,/);
    // Only this answer's CSP allows the data: QR code.
    expect(login.headers["content-security-policy"]).toMatch(/img-src [^;]*data:/);
    const mfaToken = fieldOf(login.body, "mfa_token");
    const firstSecret = secretOf(login.body);
    expect(firstSecret).toMatch(/^[A-Z2-7]{32}$/);

    // A wrong code: refused with the catalogue's message, and a new secret (the old one is never shown again).
    const wrong = await post("/mfa/enrol", csrf, { mfa_token: mfaToken, code: "000000" });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('role="alert"');
    const secret = secretOf(wrong.body);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(secret).not.toBe(firstSecret);

    const done = await post("/mfa/enrol", csrf, { mfa_token: mfaToken, code: totpCode(secret, t.clock.now()) });
    expect(done.statusCode, done.body).toBe(200);
    const codes = [...done.body.matchAll(/<li><code>([A-Z2-7-]+)<\/code><\/li>/g)].map((m) => m[1]);
    expect(codes).toHaveLength(10);
    const session = done.cookies.find((c) => c.name === "gh_session");
    expect(session?.value).toBeTruthy();
    const account = await t.app.inject({
      method: "GET",
      url: "/account",
      cookies: { gh_session: session?.value ?? "" },
    });
    expect(account.statusCode).toBe(200);

    // Used up: the same form posted again signs nobody in.
    t.clock.advance(30);
    const again = await post("/mfa/enrol", csrf, { mfa_token: mfaToken, code: totpCode(secret, t.clock.now()) });
    expect(again.statusCode).toBe(401);
    expect(again.cookies.find((c) => c.name === "gh_session")).toBeUndefined();
  });
});
