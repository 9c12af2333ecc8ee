import { DomainError } from "../errors/domain-error.js";
import { ERROR_TABLE } from "../errors/error-codes.js";
import type { RateLimitDecision, RateLimitRule } from "../ports/rate-limiter.js";

/**
 * The limited request categories (README, "Rate limiting"), plus failed logins per account. `api` is the
 * authenticated API (keyed by user), `api_anonymous` the unauthenticated API (keyed by IP).
 */
export const RateLimitCategories = ["auth", "refresh", "api", "api_anonymous", "admin", "login_failures"] as const;
export type RateLimitCategory = (typeof RateLimitCategories)[number];

/** One rule per category: the limits a deployment configures. */
export type RateLimitPolicy = Readonly<Record<RateLimitCategory, RateLimitRule>>;

/** Production defaults; failed logins: 10 per 15 minutes per account. */
export const DEFAULT_RATE_LIMIT_POLICY: RateLimitPolicy = {
  auth: { limit: 5, windowSeconds: 60 },
  refresh: { limit: 10, windowSeconds: 60 },
  api: { limit: 100, windowSeconds: 60 },
  api_anonymous: { limit: 30, windowSeconds: 60 },
  admin: { limit: 60, windowSeconds: 60 },
  login_failures: { limit: 10, windowSeconds: 15 * 60 },
};

/**
 * Development defaults: the production ones with a wider `auth` budget. That budget is shared by
 * register, verify, resend, login, forgot and reset, so the README's quick start (register,
 * verify, login, then a retry or two) would otherwise meet a 429 on its sixth call in a minute.
 */
export const DEVELOPMENT_RATE_LIMIT_POLICY: RateLimitPolicy = {
  ...DEFAULT_RATE_LIMIT_POLICY,
  auth: { limit: 30, windowSeconds: 60 },
};

/** The defaults in force before any `RATE_LIMIT_*` setting: production keeps the README's table. */
export function defaultRateLimitPolicy(production: boolean): RateLimitPolicy {
  return production ? DEFAULT_RATE_LIMIT_POLICY : DEVELOPMENT_RATE_LIMIT_POLICY;
}

/** "1 minute", "15 minutes", "90 seconds": the `window` of the 429 body. */
export function describeWindow(seconds: number): string {
  const [amount, unit] =
    seconds % 3600 === 0
      ? [seconds / 3600, "hour"]
      : seconds % 60 === 0
        ? [seconds / 60, "minute"]
        : [seconds, "second"];
  return `${amount} ${unit}${amount === 1 ? "" : "s"}`;
}

/**
 * The one 429: every refused limit (route categories, failed logins, mail throttles) answers
 * `{ retry_after, limit, window }`; the API adds `Retry-After` from `retry_after`.
 */
export function rateLimitExceeded<
  D extends Pick<RateLimitDecision, "retryAfterSeconds" | "limit">,
  R extends Pick<RateLimitRule, "windowSeconds">,
>(decision: D, rule: R): DomainError<"RATE_LIMIT_EXCEEDED"> {
  return new DomainError("RATE_LIMIT_EXCEEDED", ERROR_TABLE.RATE_LIMIT_EXCEEDED.message, {
    retry_after: decision.retryAfterSeconds,
    limit: decision.limit,
    window: describeWindow(rule.windowSeconds),
  });
}
