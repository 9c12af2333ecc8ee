import "./fastify-augment.js";
import type { CheckRateLimit, RateLimitRequest } from "@gatehouse/application";
import { isDomainError } from "@gatehouse/domain";
import Fastify from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { registerRateLimit } from "./rate-limit-hook.js";

const pathOf = (url: string) => url.split("?")[0] ?? url;

/**
 * A checkRateLimit with a budget of `limit` per bucket that answers after `delayMs`, so
 * checks overlap; each answer's `resetAt` names the hit, to tell answers apart.
 */
function slowLimiter(limit: number, delayMs = 5) {
  const seen: RateLimitRequest[] = [];
  const checkRateLimit: CheckRateLimit = async (request) => {
    seen.push(request);
    const hit = seen.length;
    await new Promise((resolve) => setTimeout(resolve, delayMs * ((hit * 7) % 5)));
    const allowed = hit <= limit;
    return {
      decision: {
        allowed,
        limit,
        remaining: Math.max(0, limit - hit),
        resetAt: 1_700_000_000 + hit,
        retryAfterSeconds: allowed ? 0 : 30 + hit,
      },
      rule: { limit, windowSeconds: 90 },
    };
  };
  return { seen, checkRateLimit };
}

async function appWith(checkRateLimit: CheckRateLimit) {
  const app = Fastify();
  app.decorateRequest("auth", null);
  app.decorateRequest("pageSession", null);
  // Stands in for the auth and page-session hooks, which run before the limiter.
  app.addHook("onRequest", async (request) => {
    const { bearer, page } = request.headers;
    if (typeof bearer === "string")
      request.auth = { sub: bearer, sid: "s", roles: [], permissions: [], jti: "j", iat: 0, exp: 0 };
    if (typeof page === "string")
      request.pageSession = { userId: page, sessionId: "s", acr: "aal1", authTime: new Date(0) };
  });
  registerRateLimit(app, checkRateLimit, pathOf);
  app.setErrorHandler((error, _request, reply) => {
    if (isDomainError(error)) return reply.status(429).send({ code: error.code, details: error.details });
    return reply.status(500).send({ code: "INTERNAL" });
  });
  app.post("/api/v1/auth/login", { config: { rateLimit: "auth" } }, async () => ({ ok: true }));
  app.get("/api/v1/health", { config: { rateLimit: "none" } }, async () => ({ ok: true }));
  app.get("/account", { config: { rateLimit: "api" } }, async () => ({ ok: true }));
  app.get("/health/live", async () => ({ ok: true }));
  await app.ready();
  return app;
}

let app: Awaited<ReturnType<typeof appWith>> | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

describe("rate limiting through @fastify/rate-limit", () => {
  it("gives every one of many overlapping requests the headers of its own check, never a neighbour's", async () => {
    const { checkRateLimit } = slowLimiter(30);
    app = await appWith(checkRateLimit);
    const responses = await Promise.all(
      Array.from({ length: 40 }, () => app?.inject({ method: "POST", url: "/api/v1/auth/login" })),
    );
    const admitted = responses.filter((response) => response?.statusCode === 200);
    const refused = responses.filter((response) => response?.statusCode === 429);
    expect([admitted.length, refused.length]).toEqual([30, 10]);
    for (const response of admitted) {
      // hit n answered remaining = 30 - n and reset = 1_700_000_000 + n: the pair must match.
      const hit = Number(response?.headers["x-ratelimit-reset"]) - 1_700_000_000;
      expect(response?.headers["x-ratelimit-remaining"]).toBe(String(30 - hit));
      expect(response?.headers["x-ratelimit-limit"]).toBe("30");
    }
    for (const response of refused) {
      const hit = Number(response?.headers["x-ratelimit-reset"]) - 1_700_000_000;
      expect(response?.json()).toEqual({
        code: "RATE_LIMIT_EXCEEDED",
        details: { retry_after: 30 + hit, limit: 30, window: "90 seconds" },
      });
      expect(response?.headers["x-ratelimit-remaining"]).toBe("0");
    }
    const resets = responses.map((response) => response?.headers["x-ratelimit-reset"]);
    expect(new Set(resets).size).toBe(40);
  });

  it("counts the route's category, unknown API paths as the API, and never unlimited routes", async () => {
    const { seen, checkRateLimit } = slowLimiter(100, 0);
    app = await appWith(checkRateLimit);
    await app.inject({ method: "POST", url: "/api/v1/auth/login", remoteAddress: "198.51.100.7" });
    const unknown = await app.inject({ method: "GET", url: "/api/v1/no-such-thing?x=1" });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers["x-ratelimit-limit"]).toBe("100");
    for (const url of ["/api/v1/health", "/health/live"]) {
      const response = await app.inject({ method: "GET", url });
      expect(response.headers["x-ratelimit-limit"], url).toBeUndefined();
    }
    expect(seen).toEqual([
      { route: "auth", clientIp: "198.51.100.7", userId: null },
      { route: "api", clientIp: "127.0.0.1", userId: null },
    ]);
  });

  it("counts a request per its token's user, else per its page session's user, else per address", async () => {
    const { seen, checkRateLimit } = slowLimiter(100, 0);
    app = await appWith(checkRateLimit);
    const remoteAddress = "198.51.100.8";
    await app.inject({ method: "GET", url: "/account", remoteAddress, headers: { page: "u-page" } });
    await app.inject({ method: "GET", url: "/account", remoteAddress, headers: { page: "u-page", bearer: "u-token" } });
    await app.inject({ method: "GET", url: "/account", remoteAddress });
    await app.inject({ method: "POST", url: "/api/v1/auth/login", remoteAddress, headers: { page: "u-page" } });
    expect(seen).toEqual([
      { route: "api", clientIp: remoteAddress, userId: "u-page" },
      { route: "api", clientIp: remoteAddress, userId: "u-token" },
      { route: "api", clientIp: remoteAddress, userId: null },
      // Which budget a user's request spends is the use case's table: `auth` stays per address.
      { route: "auth", clientIp: remoteAddress, userId: "u-page" },
    ]);
  });

  it("answers 500, with no limit headers, when the check itself fails, and the next request is counted", async () => {
    let fail = true;
    const checkRateLimit: CheckRateLimit = async () => {
      if (fail) throw new Error("limiter exploded");
      return {
        decision: { allowed: true, limit: 5, remaining: 4, resetAt: 1_700_000_060, retryAfterSeconds: 0 },
        rule: { limit: 5, windowSeconds: 60 },
      };
    };
    app = await appWith(checkRateLimit);
    const broken = await app.inject({ method: "POST", url: "/api/v1/auth/login" });
    expect(broken.statusCode).toBe(500);
    expect(broken.headers["x-ratelimit-limit"]).toBeUndefined();
    fail = false;
    const next = await app.inject({ method: "POST", url: "/api/v1/auth/login" });
    expect(next.statusCode).toBe(200);
    expect(next.headers).toMatchObject({ "x-ratelimit-limit": "5", "x-ratelimit-remaining": "4" });
  });
});
