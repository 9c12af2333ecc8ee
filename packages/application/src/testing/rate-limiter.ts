import type { RateLimitDecision, RateLimiter, RateLimitRule } from "@gatehouse/domain";

/** Counts hits per key with no window (unit tests never wait one out); refusals are not counted. */
export class FakeRateLimiter implements RateLimiter {
  readonly counts = new Map<string, number>();

  async hit(key: string, rule: RateLimitRule): Promise<RateLimitDecision> {
    const count = this.counts.get(key) ?? 0;
    const allowed = count < rule.limit;
    if (allowed) this.counts.set(key, count + 1);
    const used = allowed ? count + 1 : count;
    return {
      allowed,
      limit: rule.limit,
      remaining: rule.limit - used,
      resetAt: 0,
      retryAfterSeconds: allowed ? 0 : rule.windowSeconds,
    };
  }

  async refund(key: string): Promise<void> {
    const count = this.counts.get(key) ?? 0;
    if (count > 0) this.counts.set(key, count - 1);
  }
}
