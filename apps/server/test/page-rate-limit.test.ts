import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BOOTSTRAP_ENV, ROOT } from "./support/rbac.js";
import { startTestServer, type TestServer, uniqueUser } from "./support/test-server.js";

// Small budgets, so a few requests cross them: the hosted pages against the real composition.
const LIMITS = {
  RATE_LIMIT_AUTH_REQUESTS: "20",
  RATE_LIMIT_API_REQUESTS: "6",
  RATE_LIMIT_API_ANONYMOUS_REQUESTS: "3",
  RATE_LIMIT_ADMIN_REQUESTS: "4",
};
const FORM = { "content-type": "application/x-www-form-urlencoded" };

// Regression: a page session is a cookie, not a bearer token, and the limiter used to count every
// page request of a signed-in user in the anonymous budget of their address.
describe("rate limits key hosted-page requests by their signed-in user", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ ...BOOTSTRAP_ENV, ...LIMITS }, "pglite", { rateLimits: "configured" });
  });
  afterAll(async () => {
    await t.close();
  });

  /** Signs in on the hosted `/login` form from `address`; the page session cookie's value. */
  async function pageSignIn(address: string, credentials: { email: string; password: string }) {
    const page = await t.app.inject({ method: "GET", url: "/login", remoteAddress: address });
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? "";
    const csrf = page.cookies.find((c) => c.name === "gh_csrf")?.value ?? "";
    const login = await t.app.inject({
      method: "POST",
      url: "/login",
      remoteAddress: address,
      cookies: { gh_csrf: csrf },
      headers: FORM,
      payload: new URLSearchParams({ _csrf: token, ...credentials }).toString(),
    });
    expect([login.statusCode, login.headers.location]).toEqual([303, "/account"]);
    return login.cookies.find((c) => c.name === "gh_session")?.value ?? "";
  }

  async function registered(address: string) {
    const user = uniqueUser("prl");
    const created = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/register",
      remoteAddress: address,
      payload: user,
    });
    expect(created.statusCode).toBe(201);
    return { user, session: await pageSignIn(address, user) };
  }

  const visit = (url: string, address: string, session?: string) =>
    t.app.inject({
      method: "GET",
      url,
      remoteAddress: address,
      ...(session === undefined ? {} : { cookies: { gh_session: session } }),
    });

  it("a signed-in page user is not limited at the anonymous budget, and users behind one address do not share one", async () => {
    const nat = "203.0.113.19";
    const ada = await registered(nat);
    const bob = await registered(nat);

    // Past the anonymous budget (3) up to the signed-in API budget (6): Ada's own.
    for (let visitNumber = 1; visitNumber <= 6; visitNumber += 1) {
      const account = await visit("/account", nat, ada.session);
      expect(account.statusCode, `visit ${visitNumber}`).toBe(200);
      expect(account.headers["x-ratelimit-limit"]).toBe("6");
      expect(account.headers["x-ratelimit-remaining"]).toBe(String(6 - visitNumber));
    }
    const spent = await visit("/account", nat, ada.session);
    expect(spent.statusCode).toBe(429);
    expect(spent.headers["retry-after"]).toMatch(/^\d+$/);

    // Bob, behind the same address, has his whole budget; so do the anonymous clients there.
    const other = await visit("/account", nat, bob.session);
    expect([other.statusCode, other.headers["x-ratelimit-remaining"]]).toEqual([200, "5"]);

    // An anonymous client and a made-up cookie count in the address's anonymous budget (3),
    // untouched by the signed-in requests above; the cookie gets the sign-in redirect, no error.
    const anonymous = await visit("/account", nat);
    const forged = await visit("/account", nat, "not-a-session-secret");
    const again = await visit("/account", nat);
    expect([anonymous, forged, again].map((r) => [r.statusCode, r.headers["x-ratelimit-remaining"]])).toEqual([
      [303, "2"],
      [303, "1"],
      [303, "0"],
    ]);
    expect(forged.headers.location).toBe("/login");
    expect((await visit("/account", nat)).statusCode).toBe(429);
    expect((await visit("/account", nat, bob.session)).statusCode).toBe(200);
  });

  it("a signed-out session counts as anonymous again", async () => {
    const address = "203.0.113.20";
    const { session } = await registered(address);
    expect((await visit("/account", address, session)).headers["x-ratelimit-limit"]).toBe("6");
    const account = await visit("/account", address, session);
    const token = /name="_csrf" value="([^"]+)"/.exec(account.body)?.[1] ?? "";
    const csrf = account.cookies.find((c) => c.name === "gh_csrf")?.value ?? "";
    const logout = await t.app.inject({
      method: "POST",
      url: "/logout",
      remoteAddress: address,
      cookies: { gh_csrf: csrf, gh_session: session },
      headers: FORM,
      payload: new URLSearchParams({ _csrf: token }).toString(),
    });
    expect(logout.headers.location).toBe("/login?notice=signed_out");
    const after = await visit("/account", address, session);
    expect([after.statusCode, after.headers["x-ratelimit-limit"]]).toEqual([303, "3"]);
  });

  it("the console counts in its operator's admin budget; the sign-in form stays per address in `auth`", async () => {
    const office = "203.0.113.21";
    const operator = await pageSignIn(office, ROOT);
    for (let visitNumber = 1; visitNumber <= 4; visitNumber += 1) {
      const users = await visit("/admin/users", office, operator);
      expect(users.statusCode, `visit ${visitNumber}`).toBe(200);
      expect(users.headers["x-ratelimit-limit"]).toBe("4");
    }
    expect((await visit("/admin", office, operator)).statusCode).toBe(429);
    // The anonymous budget of the address was not touched by the operator.
    expect((await visit("/admin", office)).headers).toMatchObject({
      "x-ratelimit-limit": "3",
      "x-ratelimit-remaining": "2",
    });

    // A sign-in post spends the address's `auth` budget, with or without a live session cookie.
    const signIn = (cookies: Record<string, string>) =>
      t.app.inject({ method: "POST", url: "/login", remoteAddress: office, cookies, headers: FORM, payload: "" });
    const withCookie = await signIn({ gh_session: operator });
    const without = await signIn({});
    expect(withCookie.headers["x-ratelimit-limit"]).toBe("20");
    expect(Number(without.headers["x-ratelimit-remaining"])).toBe(
      Number(withCookie.headers["x-ratelimit-remaining"]) - 1,
    );
  });
});
