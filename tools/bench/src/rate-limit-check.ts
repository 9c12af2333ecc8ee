import { randomBytes } from "node:crypto";
import { createLogger, MemoryRateLimiter, openRedis, RedisRateLimiter, systemClock } from "@gatehouse/infrastructure";
import { type LatencySummary, round, summarizeLatencies } from "./stats.js";

export interface RateLimitCheckCost {
  readonly backend: string;
  readonly concurrency: number;
  readonly checks: number;
  readonly checks_per_second: number;
  readonly refused: number;
  readonly latency_ms: LatencySummary;
}

// The authenticated-API rule over many users, as a busy deployment sees it: enough keys that
// no check is refused, so every sample is the full path (count, add, expire).
const RULE = { limit: 100, windowSeconds: 60 };
const KEYS = 100_000;

/** One limiter check after another in `concurrency` lanes; each sample is one check's latency. */
async function measure(
  backend: string,
  limiter: MemoryRateLimiter | RedisRateLimiter,
  durationSeconds: number,
  concurrency: number,
): Promise<RateLimitCheckCost> {
  const run = randomBytes(4).toString("hex");
  const latencies: number[] = [];
  let refused = 0;
  let next = 0;
  const started = performance.now();
  const deadline = started + durationSeconds * 1000;
  const lane = async () => {
    while (performance.now() < deadline) {
      next = (next + 1) % KEYS;
      const begun = performance.now();
      const decision = await limiter.hit(`bench:${run}:user:${next}`, RULE);
      latencies.push(performance.now() - begun);
      if (!decision.allowed) refused += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const elapsedSeconds = (performance.now() - started) / 1000;
  return {
    backend,
    concurrency,
    checks: latencies.length,
    checks_per_second: round(latencies.length / elapsedSeconds),
    refused,
    latency_ms: summarizeLatencies(latencies),
  };
}

/**
 * The cost of one rate-limit check (target: p95 < 2 ms) as the request hook pays it:
 * in-process memory, and one Lua script round trip to Redis when `redisUrl` is given; each
 * alone (one check at a time) and with `connections` checks in flight.
 */
export async function measureRateLimitCheck(
  redisUrl: string | undefined,
  durationSeconds: number,
  connections: number,
): Promise<RateLimitCheckCost[]> {
  const results = [
    await measure("memory", new MemoryRateLimiter(systemClock), durationSeconds, 1),
    await measure("memory", new MemoryRateLimiter(systemClock), durationSeconds, connections),
  ];
  if (redisUrl === undefined) return results;
  const logger = createLogger({ level: "warn", pretty: false });
  // A prefix of its own: the bench may share the Redis with other users; keys expire in a minute.
  const redis = openRedis(
    {
      target: { kind: "single", url: redisUrl },
      commandTimeoutMs: 1000,
      keyPrefix: `gh-bench-${randomBytes(4).toString("hex")}:`,
    },
    logger,
  );
  try {
    const until = Date.now() + 10_000;
    while (!redis.isReady()) {
      if (Date.now() > until) throw new Error(`Redis at ${redisUrl} did not become ready`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const limiter = new RedisRateLimiter(redis, systemClock);
    results.push(await measure("redis", limiter, durationSeconds, 1));
    results.push(await measure("redis", limiter, durationSeconds, connections));
  } finally {
    await redis.close();
  }
  return results;
}
