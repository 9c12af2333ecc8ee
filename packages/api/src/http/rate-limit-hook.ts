import fastifyRateLimit, { type FastifyRateLimitStore, type FastifyRateLimitStoreCtor } from "@fastify/rate-limit";
import type { CheckRateLimit, RateLimitCheck, RouteRateLimit } from "@gatehouse/application";
import { rateLimitExceeded } from "@gatehouse/domain";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { clientAddress, requestUserId } from "./request-context.js";

const ADMIN_PREFIX = "/api/v1/admin";
const API_PREFIX = "/api/v1/";

/**
 * The one table of route categories: what a route declares in `config.rateLimit`, else what
 * its path says. Admin routes count as `admin`, the rest of `/api/v1/` as `api`; probes,
 * docs and the OpenAPI document are outside `/api/v1/` and are not limited.
 */
export function routeRateLimit(request: FastifyRequest, path: string): RouteRateLimit {
  return rateLimitCategory(request.routeOptions.config.rateLimit, request.routeOptions.url ?? path);
}

/** The same table for a route's declaration and URL pattern (the OpenAPI transform has no request). */
export function rateLimitCategory(declared: RouteRateLimit | undefined, url: string): RouteRateLimit {
  if (declared !== undefined) return declared;
  if (url === ADMIN_PREFIX || url.startsWith(`${ADMIN_PREFIX}/`)) return "admin";
  return url.startsWith(API_PREFIX) ? "api" : "none";
}

/**
 * The plugin hands its store a key and nothing else, while `checkRateLimit` needs the request
 * (category, client address, user) and the headers need its whole answer. So the key is a
 * ticket: `keyGenerator` files the request under it, the store takes it back out, and the
 * answer is kept per request until the hook has written the headers (docs/ARCHITECTURE.md,
 * "Rate limiting").
 */
class TicketDesk {
  private readonly waiting = new Map<string, FastifyRequest>();
  private sequence = 0;
  readonly answers = new WeakMap<FastifyRequest, RateLimitCheck>();

  file(request: FastifyRequest): string {
    this.sequence = (this.sequence + 1) % Number.MAX_SAFE_INTEGER;
    const ticket = String(this.sequence);
    this.waiting.set(ticket, request);
    return ticket;
  }

  take(ticket: string): FastifyRequest | undefined {
    const request = this.waiting.get(ticket);
    this.waiting.delete(ticket);
    return request;
  }
}

/**
 * `@fastify/rate-limit`'s store, counting through the `checkRateLimit` use case (and so
 * through the RateLimiter port the server wires: Redis with the in-memory fallback). The
 * plugin reads `current` against its own `max` and says `remaining = max - current`, so a
 * refusal answers `max + 1` and an admission `max - remaining`; `ttl` is the wait before a
 * retry can succeed (the plugin's own `Retry-After` is off: the error handler writes it from
 * the 429's `retry_after`, as for every RATE_LIMIT_EXCEEDED).
 */
function checkRateLimitStore(checkRateLimit: CheckRateLimit, desk: TicketDesk, pathOf: (url: string) => string) {
  const store: FastifyRateLimitStore = {
    incr(ticket, callback, _timeWindow, max) {
      const request = desk.take(ticket);
      if (request === undefined) return callback(new Error(`rate limit: no request filed under ticket ${ticket}`));
      const route = routeRateLimit(request, pathOf(request.url));
      if (route === "none") return callback(new Error("rate limit: asked to count an unlimited route"));
      checkRateLimit({ route, clientIp: clientAddress(request) ?? request.ip, userId: requestUserId(request) }).then(
        (check) => {
          desk.answers.set(request, check);
          const { allowed, remaining, retryAfterSeconds } = check.decision;
          callback(null, { current: allowed ? max - remaining : max + 1, ttl: retryAfterSeconds * 1000 });
        },
        (error: Error) => callback(error),
      );
    },
    child: () => store,
  };
  // The plugin constructs its store with `new`; every instance is this one adapter.
  return function CheckRateLimitStore() {
    return store;
  } as unknown as FastifyRateLimitStoreCtor;
}

/**
 * Counts every limited request (README "Rate limiting") through `@fastify/rate-limit` and
 * answers 429 RATE_LIMIT_EXCEEDED once its budget is spent. The plugin lives in a scope of its
 * own and its handler is called from one app-level `onRequest` hook, registered here between
 * the auth and page-session hooks and the permission hook: after authentication (a bearer token,
 * or a hosted page's session cookie), so the API and the signed-in pages are counted per user,
 * and before the permission check, so a refused request costs no database read. Unknown paths
 * are counted too (as the anonymous API). The plugin writes `X-RateLimit-Remaining`; this hook
 * writes `X-RateLimit-Limit` and `X-RateLimit-Reset` (Unix seconds) from the use case's
 * answer; the error handler adds `Retry-After` to the 429.
 */
export function registerRateLimit(
  app: FastifyInstance,
  checkRateLimit: CheckRateLimit,
  pathOf: (url: string) => string,
): void {
  const desk = new TicketDesk();
  let limit:
    | { readonly scope: FastifyInstance; readonly handler: ReturnType<FastifyInstance["rateLimit"]> }
    | undefined;
  // Not wrapped in fastify-plugin: the plugin's onRoute hook must not see the routes, whose
  // `config.rateLimit` holds a category name where the plugin expects its own options.
  app.register(async (scope) => {
    await scope.register(fastifyRateLimit, {
      global: false,
      store: checkRateLimitStore(checkRateLimit, desk, pathOf),
      keyGenerator: (request) => desk.file(request),
      addHeaders: {
        "x-ratelimit-limit": false,
        "x-ratelimit-remaining": true,
        "x-ratelimit-reset": false,
        "retry-after": false,
      },
      addHeadersOnExceeding: {
        "x-ratelimit-limit": false,
        "x-ratelimit-remaining": true,
        "x-ratelimit-reset": false,
      },
      errorResponseBuilder: (request) => {
        const check = desk.answers.get(request);
        if (check === undefined) throw new Error("rate limit: refused without an answer");
        return rateLimitExceeded(check.decision, check.rule);
      },
    });
    limit = { scope, handler: scope.rateLimit() };
  });

  app.addHook("onRequest", async (request, reply) => {
    if (routeRateLimit(request, pathOf(request.url)) === "none") return;
    if (limit === undefined) throw new Error("rate limit: a request arrived before the plugin loaded");
    try {
      await limit.handler.call(limit.scope, request, reply);
    } finally {
      const check = desk.answers.get(request);
      if (check !== undefined) {
        reply.header("x-ratelimit-limit", check.decision.limit);
        reply.header("x-ratelimit-reset", check.decision.resetAt);
        desk.answers.delete(request);
      }
    }
  });
}
