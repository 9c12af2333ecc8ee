import { randomBytes } from "node:crypto";
import type { Clock, RateLimitDecision, RateLimiter, RateLimitRule } from "@gatehouse/domain";
import { type RedisCommands, RedisScript } from "../redis/redis-connection.js";
import { decisionFrom } from "./decision.js";

/*
 * One atomic check on one key (so it runs unchanged on a Redis Cluster): forget the hits that
 * left the window, count the rest, add this one when under the limit. The sorted set holds one
 * member per hit scored by its time, which makes the window exact.
 * Returns { allowed (0|1), hits in window, oldest hit's score }.
 */
const SLIDING_WINDOW = new RedisScript(`
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local allowed = 0
if count < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], window)
  count = count + 1
  allowed = 1
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return { allowed, count, oldest[2] or '' }
`);
// The most recent hit goes back (a successful login against the failure budget).
const REFUND = new RedisScript("redis.call('ZPOPMAX', KEYS[1]) return 1");

/** One sorted set per limited key; the connection adds the deployment's prefix. */
function redisKey(key: string): string {
  return `ratelimit:${key}`;
}

/**
 * The shared sliding-window limiter: every instance counts in the same Redis sorted set, with
 * one Lua script (one round trip) per check. `now` comes from the injected clock, so the
 * window follows the caller's time (tests move it; production nodes are NTP-synced).
 */
export class RedisRateLimiter implements RateLimiter {
  // Unique hit members without a random draw per check: a per-process tag and a counter.
  private readonly memberTag = randomBytes(6).toString("base64url");
  private sequence = 0;

  constructor(
    private readonly redis: Pick<RedisCommands, "runScript">,
    private readonly clock: Clock,
  ) {}

  async hit(key: string, rule: RateLimitRule): Promise<RateLimitDecision> {
    const nowMs = this.clock.now().getTime();
    this.sequence = (this.sequence + 1) % Number.MAX_SAFE_INTEGER;
    const reply = (await this.redis.runScript(
      SLIDING_WINDOW,
      [redisKey(key)],
      [
        String(nowMs),
        String(rule.windowSeconds * 1000),
        String(rule.limit),
        `${nowMs}:${this.memberTag}:${this.sequence}`,
      ],
    )) as [number, number, string];
    const [allowed, count, oldest] = reply;
    return decisionFrom(
      { allowed: allowed === 1, count, oldestMs: oldest === "" ? undefined : Number(oldest), nowMs },
      rule,
    );
  }

  async refund(key: string): Promise<void> {
    await this.redis.runScript(REFUND, [redisKey(key)], []);
  }
}
