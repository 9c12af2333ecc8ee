import type { Clock, RateLimitDecision, RateLimiter, RateLimitRule } from "@gatehouse/domain";
import { decisionFrom } from "./decision.js";

interface HitLog {
  /** Hit times in ms, oldest first. */
  readonly times: number[];
  windowMs: number;
}

/** Drops the hits that left the window: a hit at `t` counts while `now - t < window`. */
function dropExpired(log: HitLog, nowMs: number): void {
  const cutoff = nowMs - log.windowMs;
  let expired = 0;
  while (expired < log.times.length && (log.times[expired] as number) <= cutoff) expired += 1;
  if (expired > 0) log.times.splice(0, expired);
}

/**
 * A sliding-window log per key in this process: the embedded default without Redis, and the
 * fallback while Redis is down. Limits are per instance. Idle keys are swept every
 * `sweepEvery` checks, so memory follows the active clients, not every client ever seen.
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly logs = new Map<string, HitLog>();
  private checksSinceSweep = 0;

  constructor(
    private readonly clock: Clock,
    private readonly sweepEvery = 10_000,
  ) {}

  async hit(key: string, rule: RateLimitRule): Promise<RateLimitDecision> {
    const nowMs = this.clock.now().getTime();
    this.sweepNowAndThen(nowMs);
    const log = this.logOf(key, rule);
    dropExpired(log, nowMs);
    const allowed = log.times.length < rule.limit;
    if (allowed) log.times.push(nowMs);
    return decisionFrom({ allowed, count: log.times.length, oldestMs: log.times[0], nowMs }, rule);
  }

  async refund(key: string): Promise<void> {
    const log = this.logs.get(key);
    log?.times.pop();
    if (log?.times.length === 0) this.logs.delete(key);
  }

  /** Number of keys held; for tests of the sweep. */
  get size(): number {
    return this.logs.size;
  }

  private logOf(key: string, rule: RateLimitRule): HitLog {
    const windowMs = rule.windowSeconds * 1000;
    let log = this.logs.get(key);
    if (log === undefined) {
      log = { times: [], windowMs };
      this.logs.set(key, log);
    }
    log.windowMs = windowMs;
    return log;
  }

  private sweepNowAndThen(nowMs: number): void {
    this.checksSinceSweep += 1;
    if (this.checksSinceSweep < this.sweepEvery) return;
    this.checksSinceSweep = 0;
    for (const [key, log] of this.logs) {
      dropExpired(log, nowMs);
      if (log.times.length === 0) this.logs.delete(key);
    }
  }
}
