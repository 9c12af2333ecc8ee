import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCode, get, logIn, post, registerAndLogIn } from "./support/http.js";
import { type ObservedServer, startObservedServer } from "./support/observed-server.js";
import { Scrape } from "./support/prometheus.js";
import { testDatabaseKinds, uniqueUser } from "./support/test-server.js";

const TOKEN = "metrics-token-for-the-tests-0123456789";

async function scrapeMain(t: ObservedServer): Promise<Scrape> {
  const response = await t.app.inject({
    method: "GET",
    url: "/metrics",
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(response.statusCode).toBe(200);
  return new Scrape(response.body);
}

describe.each(testDatabaseKinds())("metrics with a management listener and a scrape token (%s)", (kind) => {
  let t: ObservedServer;
  beforeAll(async () => {
    t = await startObservedServer(
      {
        METRICS_PORT: "0",
        METRICS_TOKEN: TOKEN,
        RATE_LIMIT_LOGIN_FAILURES_REQUESTS: "3",
        RATE_LIMIT_LOGIN_FAILURES_WINDOW_SECONDS: "900",
      },
      kind,
    );
  });
  afterAll(async () => {
    await t.close();
  });

  it("serves the exposition on the management port, and nothing else there", async () => {
    const port = t.server.observability.metricsPort();
    expect(port).toBeGreaterThan(0);
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const scrape = new Scrape(await response.text());
    expect(scrape.types.get("process_cpu_user_seconds_total")).toBe("counter");
    expect((await fetch(`http://127.0.0.1:${port}/api/v1/auth/me`)).status).toBe(404);
  });

  it("refuses the API-port endpoint without the token, with a wrong one and with a prefix of it", async () => {
    for (const authorization of [undefined, "Bearer wrong", `Bearer ${TOKEN.slice(0, -1)}`, TOKEN]) {
      const response = await t.app.inject({
        method: "GET",
        url: "/metrics",
        headers: authorization === undefined ? {} : { authorization },
      });
      expect(response.statusCode).toBe(401);
      expect(errorCode(response.json())).toBe("UNAUTHORIZED");
      expect(response.body).not.toContain("api_http_requests_total");
    }
  });

  it("counts requests by route template, never by raw URL", async () => {
    const user = uniqueUser("metrics");
    const session = await registerAndLogIn(t, user);
    await get(t, "/api/v1/auth/me", session.accessToken);
    await get(t, `/api/v1/admin/users/${session.userId}`, session.accessToken);
    const scrape = await scrapeMain(t);
    expect(scrape.value("api_http_requests_total", { method: "GET", route: "/api/v1/auth/me", status: "200" })).toBe(1);
    expect(
      scrape.value("api_http_requests_total", { method: "GET", route: "/api/v1/admin/users/:id", status: "403" }),
    ).toBe(1);
    expect(scrape.samples.some((s) => s.labels.route?.includes(session.userId))).toBe(false);
    const me = { route: "/api/v1/auth/me", method: "GET", status: "200" };
    const buckets = scrape.find("api_http_request_duration_seconds_bucket", me).map((s) => s.labels.le);
    expect(buckets).toEqual(expect.arrayContaining(["0.001", "0.005", "0.1", "1", "5", "+Inf"]));
    expect(scrape.value("api_http_request_duration_seconds_count", me)).toBe(1);
  });

  it("gives every unknown path one label value: 1,000 random 404s add no series", async () => {
    await get(t, `/nowhere/${randomBytes(8).toString("hex")}`);
    const before = (await scrapeMain(t)).find("api_http_requests_total").length;
    for (let i = 0; i < 1_000; i++) await get(t, `/${randomBytes(6).toString("hex")}/${i}`);
    const after = await scrapeMain(t);
    expect(after.find("api_http_requests_total").length).toBe(before);
    expect(after.value("api_http_requests_total", { method: "GET", route: "unmatched", status: "404" })).toBe(1_001);
  });

  it("counts database statements by operation and table, with durations", async () => {
    const scrape = await scrapeMain(t);
    expect(scrape.value("api_db_queries_total", { operation: "insert", table: "users" })).toBeGreaterThanOrEqual(1);
    expect(scrape.value("api_db_queries_total", { operation: "select", table: "users" })).toBeGreaterThanOrEqual(1);
    const tables = new Set(scrape.find("api_db_queries_total").map((s) => s.labels.table));
    expect(tables.has("refresh_tokens")).toBe(true);
    expect(
      scrape.value("api_db_query_duration_seconds_count", { operation: "insert", table: "users" }),
    ).toBeGreaterThanOrEqual(1);
    expect(scrape.value("gatehouse_db_pool", { state: "max" })).toBe(kind === "pglite" ? 1 : 10);
    expect(scrape.value("gatehouse_db_pool", { state: "in_flight" })).toBe(0);
  });

  it("counts logins by outcome and the failure budget's refusals", async () => {
    const user = uniqueUser("logins");
    await registerAndLogIn(t, user);
    const before = await scrapeMain(t);
    const wrong = { email: user.email, password: "Wrong-Password-1" };
    const codes: Array<string | undefined> = [];
    for (let i = 0; i < 4; i++) codes.push(errorCode((await post(t, "/api/v1/auth/login", wrong)).body));
    expect(codes).toEqual(["INVALID_CREDENTIALS", "INVALID_CREDENTIALS", "INVALID_CREDENTIALS", "RATE_LIMIT_EXCEEDED"]);
    const after = await scrapeMain(t);
    const delta = (name: string, labels: Record<string, string>) =>
      after.value(name, labels) - before.value(name, labels);
    expect(delta("gatehouse_logins_total", { method: "password", outcome: "invalid_credentials" })).toBe(3);
    expect(delta("gatehouse_logins_total", { method: "password", outcome: "rate_limited" })).toBe(1);
    expect(delta("gatehouse_rate_limited_total", { category: "login_failures" })).toBe(1);
    expect(after.value("gatehouse_logins_total", { method: "password", outcome: "mfa_enrollment_required" })).toBe(0);
    expect(after.value("gatehouse_registrations_total", { outcome: "success" })).toBeGreaterThanOrEqual(2);
    // Two logins' verifications and two registrations' hashes at least, none left running.
    expect(after.value("gatehouse_password_hash_duration_seconds_count")).toBeGreaterThanOrEqual(4);
    expect(after.value("gatehouse_password_hash_queue")).toBe(0);
  });

  it("counts refresh verdicts and revocations by reason", async () => {
    const user = uniqueUser("refresh");
    const first = await registerAndLogIn(t, user);
    const before = await scrapeMain(t);
    const rotated = await post(t, "/api/v1/auth/refresh", { refresh_token: first.refreshToken });
    expect(rotated.status).toBe(200);
    // Replayed within the grace window: the same family gets a fresh token.
    expect((await post(t, "/api/v1/auth/refresh", { refresh_token: first.refreshToken })).status).toBe(200);
    t.clock.advance(60);
    // Replayed after it while nobody has presented the re-issued token: a late retry.
    const retried = await post(t, "/api/v1/auth/refresh", { refresh_token: first.refreshToken });
    expect(retried.status).toBe(200);
    const retriedToken = (retried.body.data as { refresh_token: string }).refresh_token;
    expect((await post(t, "/api/v1/auth/refresh", { refresh_token: retriedToken })).status).toBe(200);
    // Replayed once the successor was used: reuse, the family is revoked.
    expect((await post(t, "/api/v1/auth/refresh", { refresh_token: first.refreshToken })).status).toBe(401);
    expect((await post(t, "/api/v1/auth/refresh", { refresh_token: "not-a-token" })).status).toBe(401);
    const second = await logIn(t, user);
    expect(
      (await post(t, "/api/v1/auth/logout", { refresh_token: second.refreshToken }, second.accessToken)).status,
    ).toBe(200);
    const after = await scrapeMain(t);
    const delta = (name: string, labels: Record<string, string>) =>
      after.value(name, labels) - before.value(name, labels);
    expect(delta("gatehouse_token_refresh_total", { outcome: "rotated" })).toBe(2);
    expect(delta("gatehouse_token_refresh_total", { outcome: "grace" })).toBe(1);
    expect(delta("gatehouse_token_refresh_total", { outcome: "retry" })).toBe(1);
    expect(delta("gatehouse_token_refresh_total", { outcome: "reuse_detected" })).toBe(1);
    expect(delta("gatehouse_token_refresh_total", { outcome: "invalid" })).toBe(1);
    expect(delta("gatehouse_revocations_total", { reason: "reuse_detected" })).toBe(1);
    expect(delta("gatehouse_revocations_total", { reason: "logout" })).toBe(1);
  });

  it("reports connections, memory, the cache and the outbox", async () => {
    const scrape = await scrapeMain(t);
    expect(scrape.value("api_active_connections")).toBeGreaterThanOrEqual(0);
    expect(scrape.value("api_memory_usage_bytes", { type: "rss" })).toBeGreaterThan(1_000_000);
    expect(scrape.value("gatehouse_cache_requests_total", { result: "hit" })).toBeGreaterThanOrEqual(0);
    expect(
      scrape.value("gatehouse_cache_requests_total", { result: "miss" }) +
        scrape.value("gatehouse_cache_requests_total", { result: "hit" }),
    ).toBeGreaterThanOrEqual(1);
    for (const state of ["pending", "sent", "failed"]) {
      expect(scrape.value("gatehouse_mail_outbox", { state })).toBeGreaterThanOrEqual(0);
    }
    // Without Redis there is no connection to report on.
    expect(scrape.find("gatehouse_redis_up")).toEqual([]);
  });
});

describe("metrics off (the default)", () => {
  let t: ObservedServer;
  beforeAll(async () => {
    t = await startObservedServer({});
  });
  afterAll(async () => {
    await t.close();
  });

  it("serves no /metrics and opens no management listener", async () => {
    expect((await get(t, "/metrics")).status).toBe(404);
    expect(t.server.observability.metricsPort()).toBeUndefined();
  });
});
