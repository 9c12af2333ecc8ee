/** How many hits a key may make within a sliding window. */
export interface RateLimitRule {
  /** Hits allowed in any window of `windowSeconds`; at least 1. */
  readonly limit: number;
  readonly windowSeconds: number;
}

/** The outcome of one check, enough for the `X-RateLimit-*` and `Retry-After` headers. */
export interface RateLimitDecision {
  /** False when the key already made `limit` hits in the last window; the hit was not counted. */
  readonly allowed: boolean;
  readonly limit: number;
  /** Hits still allowed right now, after this one. */
  readonly remaining: number;
  /** Unix time (seconds) when the oldest counted hit leaves the window, freeing a slot. */
  readonly resetAt: number;
  /** Seconds to wait before a retry can succeed: 0 when allowed, else at least 1. */
  readonly retryAfterSeconds: number;
}

/**
 * A sliding-window rate limiter: a hit counts for exactly `windowSeconds`, so no
 * window boundary lets a client burst twice the limit. Implementations are atomic per check
 * (concurrent checks on one key never admit more than `limit`) and share their counts between
 * every instance that must enforce one limit together.
 */
export interface RateLimiter {
  /**
   * Counts one hit against `key` when fewer than `rule.limit` hits fell in the last
   * `rule.windowSeconds`; otherwise refuses it without counting it. Rejects only when the
   * backend cannot answer (a fallback wrapper turns that into a local decision).
   */
  hit(key: string, rule: RateLimitRule): Promise<RateLimitDecision>;
  /**
   * Takes back the most recent hit on `key`, for an attempt that turned out not to count
   * (a successful login against the failed-login budget). No-op when there is none.
   */
  refund(key: string, rule: RateLimitRule): Promise<void>;
}
