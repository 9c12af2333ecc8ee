import type {
  RateLimitCategory,
  RateLimitDecision,
  RateLimiter,
  RateLimitPolicy,
  RateLimitRefusals,
  RateLimitRule,
} from "@gatehouse/domain";

/**
 * How a route is limited, declared next to it: `auth` (login/register) and `refresh` per IP,
 * `api` and `admin` per signed-in user (per IP as `api_anonymous` when nobody is signed in),
 * `none` for probes and docs.
 */
export type RouteRateLimit = "auth" | "refresh" | "api" | "admin" | "none";

export interface RateLimitRequest {
  readonly route: Exclude<RouteRateLimit, "none">;
  /** The client address as resolved under TRUST_PROXY. */
  readonly clientIp: string;
  /** The authenticated user: of a valid token, or of a hosted page's live session cookie. */
  readonly userId: string | null;
}

export interface RateLimitCheck {
  readonly decision: RateLimitDecision;
  readonly rule: RateLimitRule;
}

export interface CheckRateLimitDeps {
  readonly limiter: Pick<RateLimiter, "hit">;
  readonly policy: RateLimitPolicy;
  /** Where a refusal is counted for the admin dashboard (in memory; flushed in batches). */
  readonly refusals?: RateLimitRefusals;
}

/** The bucket a request counts in: which rule, and whose budget. */
function bucketOf(request: RateLimitRequest): { category: RateLimitCategory; subject: string } {
  const byIp = `ip:${request.clientIp}`;
  switch (request.route) {
    case "auth":
    case "refresh":
      return { category: request.route, subject: byIp };
    case "api":
    case "admin":
      return request.userId === null
        ? { category: "api_anonymous", subject: byIp }
        : { category: request.route, subject: `user:${request.userId}` };
  }
}

/** Counts one request against its category's budget (README, "Rate limiting"); the caller answers 429 when refused. */
export function makeCheckRateLimit(deps: CheckRateLimitDeps) {
  return async function checkRateLimit(request: RateLimitRequest): Promise<RateLimitCheck> {
    const { category, subject } = bucketOf(request);
    const rule = deps.policy[category];
    const decision = await deps.limiter.hit(`${category}:${subject}`, rule);
    if (!decision.allowed) deps.refusals?.record(category);
    return { decision, rule };
  };
}

export type CheckRateLimit = ReturnType<typeof makeCheckRateLimit>;
