import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logIn, post, register } from "./support/http.js";
import { sql, startTestServer, type TestServer, testDatabaseKinds, uniqueUser } from "./support/test-server.js";

const FORM = { "content-type": "application/x-www-form-urlencoded" };

// The reactivation page against the real composition, by inject: what a deactivated user who
// signs in on /login gets, and /reactivate's answers (the same use case and limits as
// POST /api/v1/auth/reactivate). The happy path in Chromium is in pages-sign-in-browser.test.ts.
describe.each(testDatabaseKinds())("reactivation on the hosted pages (%s)", (kind) => {
  let t: TestServer;

  beforeAll(async () => {
    t = await startTestServer({ PUBLIC_BASE_URL: "http://gatehouse.test" }, kind);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  /** Posts `fields` to `path` as the form of `formPage` would, with its CSRF token and cookie. */
  async function postForm(path: string, fields: Record<string, string>, { formPage = path, withToken = true } = {}) {
    const page = await t.app.inject({ method: "GET", url: formPage });
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? "";
    const csrf = page.cookies.find((cookie) => cookie.name === "gh_csrf")?.value ?? "";
    return t.app.inject({
      method: "POST",
      url: path,
      cookies: { gh_csrf: csrf },
      headers: FORM,
      payload: new URLSearchParams({ ...fields, ...(withToken ? { _csrf: token } : {}) }).toString(),
    });
  }

  /** A registered user who deactivated the account themselves (POST /api/v1/users/me/deactivate). */
  async function deactivated(prefix: string) {
    const user = uniqueUser(prefix);
    await register(t, user);
    const session = await logIn(t, user);
    const done = await post(t, "/api/v1/users/me/deactivate", { password: user.password }, session.accessToken);
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    return { ...user, userId: session.userId };
  }

  const statusOf = async (userId: string) =>
    (await t.query<{ status: string }>(sql`SELECT status FROM users WHERE id = ${userId}`))[0]?.status;
  /** The page's error summary, nothing of the form around it. */
  const summaryOf = (body: string) => /<div class="error-summary"[\s\S]*?<\/div>/.exec(body)?.[0];

  it("signing in with the right password offers the reactivation form; a wrong one says nothing of the status", async () => {
    const user = await deactivated("rea");
    const wrong = await postForm("/login", { email: user.email, password: "not-the-password" });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain("The email address or password is not right.");
    expect(wrong.body).not.toContain("deactivated");

    const right = await postForm("/login", { email: user.email, password: user.password });
    expect(right.statusCode).toBe(403);
    expect(right.body).toContain("<h1>Your account is deactivated</h1>");
    expect(right.body).toContain('action="/reactivate"');
    expect(right.body).toContain(`value="${user.email}"`);
    expect(right.cookies.map((cookie) => cookie.name)).not.toContain("gh_session");
  });

  it("reactivates with the password and sends the browser to /login with a notice, where signing in works", async () => {
    const user = await deactivated("reb");
    const done = await postForm("/reactivate", { email: user.email, password: user.password });
    expect([done.statusCode, done.headers.location]).toEqual([303, "/login?notice=account_reactivated"]);
    const notice = await t.app.inject({ method: "GET", url: "/login?notice=account_reactivated" });
    expect(notice.body).toContain("Your account is active again. Sign in.");
    expect(await statusOf(user.userId)).toBe("active");
    const signedIn = await postForm("/login", { email: user.email, password: user.password });
    expect([signedIn.statusCode, signedIn.headers.location]).toEqual([303, "/account"]);

    const again = await postForm("/reactivate", { email: user.email, password: user.password });
    expect(again.headers.location).toBe("/login?notice=account_already_active");
  });

  it("a wrong password and an unknown address answer alike; the account stays deactivated", async () => {
    const user = await deactivated("rec");
    const wrong = await postForm("/reactivate", { email: user.email, password: "not-the-password" });
    const unknown = await postForm("/reactivate", { email: `nobody-${user.email}`, password: "not-the-password" });
    expect([wrong.statusCode, unknown.statusCode]).toEqual([401, 401]);
    expect(summaryOf(wrong.body)).toContain("The email address or password is not right.");
    expect(summaryOf(wrong.body)).toBe(summaryOf(unknown.body));
    expect(wrong.body).not.toContain("Your account is deactivated");
    expect(await statusOf(user.userId)).toBe("deactivated");
  });

  it("an administrator's deactivation is not lifted; a post without the token is refused", async () => {
    const user = await deactivated("red");
    await t.query(sql`UPDATE users SET status_reason = 'policy' WHERE id = ${user.userId}`);
    const byAdmin = await postForm("/reactivate", { email: user.email, password: user.password });
    expect(byAdmin.statusCode).toBe(403);
    expect(summaryOf(byAdmin.body)).toContain("This account is deactivated.");
    expect(await statusOf(user.userId)).toBe("deactivated");

    await t.query(sql`UPDATE users SET status_reason = 'self_deactivated' WHERE id = ${user.userId}`);
    const tokenless = await postForm(
      "/reactivate",
      { email: user.email, password: user.password },
      { withToken: false },
    );
    expect(tokenless.statusCode).toBe(403);
    expect(tokenless.body).toContain("This form has expired or was not sent from this site");
    expect(await statusOf(user.userId)).toBe("deactivated");
  });

  it("shows the form by itself at GET /reactivate", async () => {
    const page = await t.app.inject({ method: "GET", url: "/reactivate" });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("<h1>Reactivate your account</h1>");
    expect(page.body).not.toContain("Your sign-in was right");
    const login = await t.app.inject({ method: "GET", url: "/login" });
    expect(login.body).toContain('<a href="/reactivate">Reactivate it</a>');
  });
});
