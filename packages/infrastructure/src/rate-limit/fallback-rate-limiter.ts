import type { Clock, RateLimitDecision, RateLimiter, RateLimitRule } from "@gatehouse/domain";

interface FallbackLog {
  warn(object: object, message: string): void;
  info(message: string): void;
}

/**
 * Shared limits while Redis answers, per-instance limits while it does not: a Redis outage
 * never turns limiting off. The first failure is logged once and Redis is left
 * alone for `retryAfterMs`; the next check after that tries it again, and the first success
 * is logged once, so recovery needs no restart. Counts do not move between the two: a
 * client may get one extra local budget at the moment of the switch.
 */
export class FallbackRateLimiter implements RateLimiter {
  private failingSince: number | undefined;
  private retryAtMs = 0;

  constructor(
    private readonly shared: RateLimiter,
    private readonly local: RateLimiter,
    private readonly clock: Clock,
    private readonly log: FallbackLog,
    private readonly retryAfterMs = 1000,
  ) {}

  /** True while checks are answered by the per-instance limiter. */
  get degraded(): boolean {
    return this.failingSince !== undefined;
  }

  async hit(key: string, rule: RateLimitRule): Promise<RateLimitDecision> {
    if (this.skipShared()) return this.local.hit(key, rule);
    try {
      const decision = await this.shared.hit(key, rule);
      this.noteRecovered();
      return decision;
    } catch (error) {
      this.noteFailure(error);
      return this.local.hit(key, rule);
    }
  }

  async refund(key: string, rule: RateLimitRule): Promise<void> {
    if (this.skipShared()) return this.local.refund(key, rule);
    try {
      await this.shared.refund(key, rule);
      this.noteRecovered();
    } catch (error) {
      this.noteFailure(error);
      await this.local.refund(key, rule);
    }
  }

  private skipShared(): boolean {
    return this.failingSince !== undefined && this.clock.now().getTime() < this.retryAtMs;
  }

  private noteFailure(error: unknown): void {
    const nowMs = this.clock.now().getTime();
    this.retryAtMs = nowMs + this.retryAfterMs;
    if (this.failingSince !== undefined) return;
    this.failingSince = nowMs;
    this.log.warn(
      { err: error },
      "rate limiter: Redis unavailable, enforcing the same limits per instance until it answers again",
    );
  }

  private noteRecovered(): void {
    if (this.failingSince === undefined) return;
    this.failingSince = undefined;
    this.log.info("rate limiter: Redis answers again, limits are shared across instances");
  }
}
