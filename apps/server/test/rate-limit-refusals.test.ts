import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { BOOTSTRAP_ENV, ROOT } from "./support/rbac.js";
import { sql, startTestServer, type TestServer } from "./support/test-server.js";

// Small budgets, so a few requests cross them; the login delay off, so only the budget refuses.
const LIMITS = {
  ...BOOTSTRAP_ENV,
  RATE_LIMIT_REFRESH_REQUESTS: "2",
  RATE_LIMIT_LOGIN_FAILURES_REQUESTS: "2",
  RATE_LIMIT_ADMIN_REQUESTS: "1000",
  LOGIN_DELAY_MAX_SECONDS: "0",
};
const FORM = { "content-type": "application/x-www-form-urlencoded" };

let addressCounter = 0;
/** A client address of its own per call, so the per-address `auth` budget stays out of the way. */
const freshIp = () => `198.19.7.${++addressCounter}`;

/** `count` refresh calls from one address: the first two pass the budget (and fail), the rest are 429. */
async function refreshes(t: TestServer, count: number): Promise<number[]> {
  const address = freshIp();
  const statuses: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const response = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/refresh",
      remoteAddress: address,
      payload: { refresh_token: "not-a-refresh-token" },
    });
    statuses.push(response.statusCode);
  }
  return statuses;
}

/** Wrong passwords for one (unknown) account, each from a fresh address: the failure budget refuses past 2. */
async function wrongPasswords(t: TestServer, email: string, count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const response = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      remoteAddress: freshIp(),
      payload: { email, password: `wrong-guess-${i}` },
    });
    statuses.push(response.statusCode);
  }
  return statuses;
}

const refusalRows = (t: TestServer) =>
  t.query<{ category: string; count: number | string }>(
    sql`SELECT category, count FROM rate_limit_refusals ORDER BY category`,
  );

describe("rate-limited requests on the admin dashboard", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ ...LIMITS, RATE_LIMIT_REFUSALS_FLUSH_SECONDS: "1" }, "pglite", {
      rateLimits: "configured",
    });
  });
  afterAll(async () => {
    await t.close();
  });

  /** The operator's page session, signed in on the hosted form. */
  async function operatorSession(): Promise<string> {
    const address = freshIp();
    const page = await t.app.inject({ method: "GET", url: "/login", remoteAddress: address });
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? "";
    const csrf = page.cookies.find((c) => c.name === "gh_csrf")?.value ?? "";
    const login = await t.app.inject({
      method: "POST",
      url: "/login",
      remoteAddress: address,
      cookies: { gh_csrf: csrf },
      headers: FORM,
      payload: new URLSearchParams({ _csrf: token, email: ROOT.email, password: ROOT.password }).toString(),
    });
    expect([login.statusCode, login.headers.location]).toEqual([303, "/account"]);
    return login.cookies.find((c) => c.name === "gh_session")?.value ?? "";
  }

  it("real 429s (route budget and failure budget) are counted per category and charted after a flush", async () => {
    expect(await refreshes(t, 5)).toEqual([401, 401, 429, 429, 429]);
    expect(await wrongPasswords(t, "nobody-refused@example.com", 4)).toEqual([401, 401, 429, 429]);

    // Written by the periodic flush (every second here), one row per category, not one per request.
    await vi.waitFor(
      async () => {
        const rows = (await refusalRows(t)).map((row) => [row.category, Number(row.count)]);
        expect(rows).toEqual([
          ["login_failures", 2],
          ["refresh", 3],
        ]);
      },
      { timeout: 10_000, interval: 200 },
    );

    const session = await operatorSession();
    const dashboard = await t.app.inject({
      method: "GET",
      url: "/admin",
      remoteAddress: freshIp(),
      cookies: { gh_session: session },
    });
    expect(dashboard.statusCode).toBe(200);
    const today = new Date().toISOString().slice(5, 10);
    const chart = dashboard.body.slice(dashboard.body.indexOf('id="rate-limited-per-day-caption"'));
    expect(chart).toContain("Rate-limited requests per day, last 30 days (UTC)");
    expect(chart).toMatch(new RegExp(`<th scope="row">${today}</th><td>5</td>`));
    expect(dashboard.body).toContain('data-count="Rate-limited requests, 30 days">5<');
  });
});

describe("rate-limit refusals at shutdown", () => {
  it("a graceful close writes what the last interval counted", async () => {
    // An interval no test waits for: only the shutdown flush can write these.
    const t = await startTestServer({ ...LIMITS, RATE_LIMIT_REFUSALS_FLUSH_SECONDS: "300" }, "pglite", {
      rateLimits: "configured",
    });
    expect(await refreshes(t, 4)).toEqual([401, 401, 429, 429]);
    expect(await refusalRows(t)).toEqual([]);
    await t.close();
    expect((await refusalRows(t)).map((row) => [row.category, Number(row.count)])).toEqual([["refresh", 2]]);
    await t.database.drop();
  });
});
