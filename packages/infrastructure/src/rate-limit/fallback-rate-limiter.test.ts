import type { Clock, RateLimiter } from "@gatehouse/domain";
import { describe, expect, it } from "vitest";
import { FallbackRateLimiter } from "./fallback-rate-limiter.js";
import { MemoryRateLimiter } from "./memory-rate-limiter.js";

function setup() {
  let now = Date.UTC(2026, 0, 1);
  const clock: Clock = { now: () => new Date(now) };
  let up = true;
  const backing = new MemoryRateLimiter(clock);
  const calls = { shared: 0 };
  // A shared limiter whose backend can be switched off, as Redis refusing connections.
  const shared: RateLimiter = {
    hit: async (key, rule) => {
      calls.shared += 1;
      if (!up) throw Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
      return backing.hit(key, rule);
    },
    refund: async (key) => {
      if (!up) throw new Error("connect ECONNREFUSED");
      return backing.refund(key);
    },
  };
  const lines: string[] = [];
  const log = {
    warn: (_: object, message: string) => lines.push(`warn ${message}`),
    info: (m: string) => lines.push(`info ${m}`),
  };
  const limiter = new FallbackRateLimiter(shared, new MemoryRateLimiter(clock), clock, log, 1000);
  return {
    limiter,
    lines,
    calls,
    down: () => (up = false),
    restore: () => (up = true),
    advance: (ms: number) => (now += ms),
  };
}

const rule = { limit: 3, windowSeconds: 60 };

describe("FallbackRateLimiter", () => {
  it("keeps the same limits per instance while the shared limiter fails (never unlimited)", async () => {
    const { limiter, down } = setup();
    down();
    const allowed = [];
    for (let i = 0; i < 5; i += 1) allowed.push((await limiter.hit("ip:1", rule)).allowed);
    expect(allowed).toEqual([true, true, true, false, false]);
    expect(limiter.degraded).toBe(true);
  });

  it("logs the outage once and the recovery once, and recovers without a restart", async () => {
    const { limiter, lines, calls, down, restore, advance } = setup();
    await limiter.hit("ip:1", rule);
    down();
    for (let i = 0; i < 4; i += 1) await limiter.hit("ip:2", rule);
    // Within the retry pause the shared limiter is not asked again (no timeout per request).
    expect(calls.shared).toBe(2);
    advance(1000);
    await limiter.hit("ip:3", rule);
    expect(calls.shared).toBe(3);
    restore();
    advance(1000);
    expect((await limiter.hit("ip:1", rule)).remaining).toBe(1);
    expect(limiter.degraded).toBe(false);
    expect(lines).toEqual([
      "warn rate limiter: Redis unavailable, enforcing the same limits per instance until it answers again",
      "info rate limiter: Redis answers again, limits are shared across instances",
    ]);
  });

  it("refunds on the limiter that counted while the shared one is down", async () => {
    const { limiter, down } = setup();
    down();
    for (let i = 0; i < 3; i += 1) await limiter.hit("acct", rule);
    await limiter.refund("acct", rule);
    expect((await limiter.hit("acct", rule)).allowed).toBe(true);
  });
});
