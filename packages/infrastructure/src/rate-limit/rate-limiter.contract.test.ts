import type { Clock, RateLimiter } from "@gatehouse/domain";
import { afterAll, describe, expect, it } from "vitest";
import type { RedisSettings } from "../config/config.js";
import { createLogger } from "../logging/logger.js";
import { openRedis, type RedisConnection, RedisScript } from "../redis/redis-connection.js";
import {
  CONTRACT_COMMAND_TIMEOUT_MS,
  redisAnswers,
  redisServerMissing,
  redisTestSettings,
  sharedRedisUrl,
  startPrivateRedisCluster,
} from "../testing/redis-servers.js";
import { MemoryRateLimiter } from "./memory-rate-limiter.js";
import { RedisRateLimiter } from "./redis-rate-limiter.js";

/** A clock at a minute boundary that tests move by hand. */
function fakeClock(startMs = Date.UTC(2026, 0, 1, 12, 0, 0)) {
  let now = startMs;
  const clock: Clock = { now: () => new Date(now) };
  return { clock, startMs, at: (offsetMs: number) => (now = startMs + offsetMs) };
}

const logger = createLogger({ level: "silent", pretty: false });
const connections: RedisConnection[] = [];
afterAll(async () => {
  await Promise.all(connections.map((connection) => connection.close()));
  await cluster?.dispose();
});

/** A connection with a random key prefix per run: the Redis is shared, so never FLUSH. */
async function connect(target: RedisSettings["target"]): Promise<RedisConnection> {
  const connection = openRedis(redisTestSettings(target, CONTRACT_COMMAND_TIMEOUT_MS), logger);
  connections.push(connection);
  const until = Date.now() + 20_000;
  while (!connection.isReady()) {
    if (Date.now() > until) throw new Error("Redis did not become ready");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return connection;
}

const sharedUrl = sharedRedisUrl();
const shared = (await redisAnswers(sharedUrl)) ? await connect({ kind: "single", url: sharedUrl }) : undefined;
if (shared === undefined) console.warn(`rate limiter contract: no Redis at ${sharedUrl}, the Redis case is skipped`);
const serverMissing = redisServerMissing();
if (serverMissing !== undefined) console.warn(`rate limiter contract: ${serverMissing}`);
const cluster = serverMissing === undefined ? await startPrivateRedisCluster() : undefined;
const clustered = cluster && (await connect({ kind: "cluster", nodeUrls: cluster.nodeUrls }));

let keyCounter = 0;
const freshKey = () => `key-${++keyCounter}`;

type Factory = (clock: Clock) => RateLimiter;
const redisFactory = (connection: RedisConnection | undefined): Factory | undefined =>
  connection && ((clock) => new RedisRateLimiter(connection, clock));
const adapters: Array<[string, Factory | undefined]> = [
  ["memory", (clock) => new MemoryRateLimiter(clock)],
  ["redis", redisFactory(shared)],
  ["redis cluster", redisFactory(clustered)],
];

describe.each(adapters)("RateLimiter contract: %s", (name, make) => {
  const itRuns = make === undefined ? it.skip : it;
  const limiterAt = () => {
    const time = fakeClock();
    return { ...time, limiter: (make as Factory)(time.clock) };
  };
  const rule = { limit: 5, windowSeconds: 60 };

  itRuns("admits `limit` hits, then refuses with Retry-After and does not count the refusal", async () => {
    const { limiter, at, startMs } = limiterAt();
    const key = freshKey();
    const remaining: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      at(i * 1000);
      const decision = await limiter.hit(key, rule);
      expect(decision.allowed).toBe(true);
      expect(decision.retryAfterSeconds).toBe(0);
      remaining.push(decision.remaining);
    }
    expect(remaining).toEqual([4, 3, 2, 1, 0]);

    at(10_000);
    const refused = await limiter.hit(key, rule);
    expect(refused).toEqual({
      allowed: false,
      limit: 5,
      remaining: 0,
      resetAt: (startMs + 60_000) / 1000, // the first hit leaves the window
      retryAfterSeconds: 50,
    });
    // The refusal was not counted: the slot of the first hit frees at exactly 60 s.
    at(59_999);
    expect((await limiter.hit(key, rule)).allowed).toBe(false);
    at(60_000);
    expect(await limiter.hit(key, rule)).toMatchObject({ allowed: true, remaining: 0 });
  });

  itRuns("slides: no 2x burst across a window boundary (fake clock)", async () => {
    const { limiter, at } = limiterAt();
    const key = freshKey();
    // A fixed one-minute window would reset at 60 s and admit 5 more at once.
    at(59_000);
    for (let i = 0; i < 5; i += 1) expect((await limiter.hit(key, rule)).allowed).toBe(true);
    at(61_000);
    const acrossBoundary = await limiter.hit(key, rule);
    expect(acrossBoundary.allowed).toBe(false);
    expect(acrossBoundary.retryAfterSeconds).toBe(58);
    at(118_999);
    expect((await limiter.hit(key, rule)).allowed).toBe(false);
    // Exactly one window after the burst, its hits leave together.
    at(119_000);
    for (let i = 0; i < 5; i += 1) expect((await limiter.hit(key, rule)).allowed).toBe(true);
    expect((await limiter.hit(key, rule)).allowed).toBe(false);
  });

  itRuns("frees slots one by one as old hits leave", async () => {
    const { limiter, at } = limiterAt();
    const key = freshKey();
    at(0);
    for (let i = 0; i < 3; i += 1) await limiter.hit(key, rule);
    at(30_000);
    for (let i = 0; i < 2; i += 1) await limiter.hit(key, rule);
    at(60_000);
    const afterFirstThree = [];
    for (let i = 0; i < 4; i += 1) afterFirstThree.push((await limiter.hit(key, rule)).allowed);
    expect(afterFirstThree).toEqual([true, true, true, false]);
    at(90_000);
    expect((await limiter.hit(key, rule)).remaining).toBe(1);
  });

  itRuns("keeps keys apart", async () => {
    const { limiter } = limiterAt();
    const [a, b] = [freshKey(), freshKey()];
    for (let i = 0; i < 5; i += 1) await limiter.hit(a, rule);
    expect((await limiter.hit(a, rule)).allowed).toBe(false);
    expect(await limiter.hit(b, rule)).toMatchObject({ allowed: true, remaining: 4 });
  });

  itRuns("never admits more than the limit under concurrent checks", async () => {
    const { limiter } = limiterAt();
    const key = freshKey();
    const decisions = await Promise.all(
      Array.from({ length: 40 }, () => limiter.hit(key, { limit: 10, windowSeconds: 60 })),
    );
    expect(decisions.filter((decision) => decision.allowed)).toHaveLength(10);
  });

  itRuns("refund gives the most recent hit back; on an empty key it does nothing", async () => {
    const { limiter, at } = limiterAt();
    const key = freshKey();
    await limiter.refund(key, rule);
    at(0);
    for (let i = 0; i < 5; i += 1) await limiter.hit(key, rule);
    await limiter.refund(key, rule);
    expect(await limiter.hit(key, rule)).toMatchObject({ allowed: true, remaining: 0 });
    expect((await limiter.hit(key, rule)).allowed).toBe(false);
  });

  itRuns("applies each rule's own window", async () => {
    const { limiter, at } = limiterAt();
    const key = freshKey();
    const longRule = { limit: 2, windowSeconds: 900 };
    at(0);
    await limiter.hit(key, longRule);
    await limiter.hit(key, longRule);
    at(899_000);
    expect(await limiter.hit(key, longRule)).toMatchObject({ allowed: false, retryAfterSeconds: 1 });
    at(900_000);
    expect((await limiter.hit(key, longRule)).allowed).toBe(true);
  });

  if (name === "redis" && shared !== undefined) {
    itRuns("expires its keys with the window, so idle clients leave nothing behind", async () => {
      const { limiter } = limiterAt();
      const key = freshKey();
      await limiter.hit(key, { limit: 3, windowSeconds: 60 });
      const ttl = await shared.runScript(
        new RedisScript("return redis.call('PTTL', KEYS[1])"),
        [`ratelimit:${key}`],
        [],
      );
      expect(ttl).toBeGreaterThan(55_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
    });
  }
});

describe("MemoryRateLimiter", () => {
  it("sweeps keys whose hits all left the window", async () => {
    const { clock, at } = fakeClock();
    const limiter = new MemoryRateLimiter(clock, 3);
    at(0);
    await limiter.hit("a", { limit: 5, windowSeconds: 1 });
    await limiter.hit("b", { limit: 5, windowSeconds: 1 });
    expect(limiter.size).toBe(2);
    at(5_000);
    await limiter.hit("c", { limit: 5, windowSeconds: 1 });
    expect(limiter.size).toBe(1);
  });
});
