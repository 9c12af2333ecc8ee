import type { CheckRateLimit, RouteRateLimit } from "@gatehouse/application";
import { rateLimitExceeded } from "@gatehouse/domain";
import type { FastifyReply, FastifyRequest } from "fastify";

const ADMIN_PREFIX = "/api/v1/admin";
const API_PREFIX = "/api/v1/";

/**
 * The one table of route categories: what a route declares in `config.rateLimit`, else what
 * its path says. Admin routes count as `admin`, the rest of `/api/v1/` as `api`; probes,
 * docs and the OpenAPI document are outside `/api/v1/` and are not limited.
 */
export function routeRateLimit(request: FastifyRequest, path: string): RouteRateLimit {
  const declared = request.routeOptions.config.rateLimit;
  if (declared !== undefined) return declared;
  const url = request.routeOptions.url ?? path;
  if (url === ADMIN_PREFIX || url.startsWith(`${ADMIN_PREFIX}/`)) return "admin";
  return url.startsWith(API_PREFIX) ? "api" : "none";
}

/**
 * Counts every limited request (PRD §4.4) and answers 429 RATE_LIMIT_EXCEEDED once its
 * budget is spent. Runs after authentication, so the API is counted per user, and before
 * the permission check, so a refused request costs no database read. Every limited
 * response carries `X-RateLimit-*`; the error handler adds `Retry-After` to the 429.
 */
export function makeRateLimitHook(checkRateLimit: CheckRateLimit, pathOf: (url: string) => string) {
  return async function rateLimitHook(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const route = routeRateLimit(request, pathOf(request.url));
    if (route === "none") return;
    const { decision, rule } = await checkRateLimit({
      route,
      clientIp: request.ip,
      userId: request.auth?.sub ?? null,
    });
    reply.header("x-ratelimit-limit", decision.limit);
    reply.header("x-ratelimit-remaining", decision.remaining);
    reply.header("x-ratelimit-reset", decision.resetAt);
    if (!decision.allowed) throw rateLimitExceeded(decision, rule);
  };
}
