import type { Cache, Clock } from "@gatehouse/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RedisSettings } from "../config/config.js";
import { createLogger } from "../logging/logger.js";
import { RedisCache } from "../redis/redis-cache.js";
import { openRedis, type RedisConnection } from "../redis/redis-connection.js";
import { systemClock } from "../security/system-clock.js";
import {
  eventually,
  type PrivateRedis,
  redisServerMissing,
  redisTestSettings,
  redisTestTargets,
  startPrivateRedis,
} from "../testing/redis-servers.js";
import { MemoryCache } from "./memory-cache.js";

const logger = createLogger({ level: "silent", pretty: false });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Opens one more instance of the cache; instances of a shared backend see each other's writes. */
interface CacheBackend {
  open(): Promise<Cache>;
  readonly shared: boolean;
  close(): Promise<void>;
}

function contract(name: string, backend: () => CacheBackend) {
  describe(`Cache contract: ${name}`, () => {
    let cache: Cache;
    beforeAll(async () => {
      cache = await backend().open();
    });

    it("answers a miss, then what was stored", async () => {
      expect(await cache.get("user:a")).toBeUndefined();
      await cache.set("user:a", { name: "ada", roles: ["user"] }, 60);
      expect(await cache.get("user:a")).toEqual({ name: "ada", roles: ["user"] });
    });

    it("hands out copies, so mutating a read value does not change the cache", async () => {
      await cache.set("copy", { roles: ["user"] }, 60);
      const first = await cache.get<{ roles: string[] }>("copy");
      first?.roles.push("super_admin");
      expect(await cache.get("copy")).toEqual({ roles: ["user"] });
    });

    it("forgets an entry when its TTL passes", async () => {
      await cache.set("short", 1, 1);
      expect(await cache.get("short")).toBe(1);
      await sleep(1100);
      expect(await cache.get("short")).toBeUndefined();
    });

    it("deletes several keys at once, missing ones included", async () => {
      await cache.set("permissions:x", 1, 60);
      await cache.set("user:x", 2, 60);
      await cache.set("keep", 3, 60);
      await cache.delete(["permissions:x", "user:x", "missing"]);
      expect(await cache.get("permissions:x")).toBeUndefined();
      expect(await cache.get("user:x")).toBeUndefined();
      expect(await cache.get("keep")).toBe(3);
    });

    it("invalidation on one instance reaches every instance sharing the cache", async ({ skip }) => {
      if (!backend().shared) skip("an in-memory cache serves one process only");
      const other = await backend().open();
      await cache.set("user:shared", { v: 1 }, 60);
      // Both read it, so a node-local copy may exist on each.
      expect(await other.get("user:shared")).toEqual({ v: 1 });
      expect(await cache.get("user:shared")).toEqual({ v: 1 });
      await other.delete(["user:shared"]);
      expect(await other.get("user:shared")).toBeUndefined();
      // The other nodes drop their copy when the invalidation message arrives (sub-millisecond).
      await eventually(async () => (await cache.get("user:shared")) === undefined, "the invalidation to arrive");
      await cache.set("user:shared", { v: 2 }, 60);
      expect(await other.get("user:shared")).toEqual({ v: 2 });
    });
  });
}

contract("MemoryCache", () => memoryBackend);
const memoryBackend: CacheBackend = {
  shared: false,
  open: async () => new MemoryCache(systemClock),
  close: async () => {},
};

for (const target of await redisTestTargets()) {
  describe(target.name, () => {
    let settings: RedisSettings;
    let dispose: () => Promise<void>;
    const connections: RedisConnection[] = [];
    const backend: CacheBackend = {
      shared: true,
      async open() {
        const redis = openRedis(settings, logger);
        connections.push(redis);
        await eventually(() => redis.isReady(), "the Redis connection");
        return RedisCache.open(redis, logger, systemClock);
      },
      close: async () => {},
    };
    beforeAll(async () => {
      ({ settings, dispose } = await target.start());
    }, 60_000);
    afterAll(async () => {
      await Promise.all(connections.map((redis) => redis.close()));
      await dispose?.();
    });
    contract(`RedisCache on ${target.name}`, () => backend);
  });
}

describe("MemoryCache bounds", () => {
  it("evicts the oldest entry past its bound, by the injected clock", async () => {
    let now = 0;
    const clock: Clock = { now: () => new Date(now) };
    const cache = new MemoryCache(clock, 2);
    await cache.set("a", 1, 60);
    await cache.set("b", 2, 60);
    await cache.set("c", 3, 60);
    expect(cache.size).toBe(2);
    expect(await cache.get("a")).toBeUndefined();
    now += 60_000;
    expect(await cache.get("c")).toBeUndefined();
  });
});

const missing = redisServerMissing();
describe.skipIf(missing !== undefined)("RedisCache while Redis is down", () => {
  let server: PrivateRedis;
  beforeAll(async () => {
    server = await startPrivateRedis();
  });
  afterAll(() => server?.dispose());

  it("never fails a caller: reads miss (counted), writes drop, invalidations are retried on reconnect", async () => {
    const settings = redisTestSettings({ kind: "single", url: server.url });
    const redis = openRedis(settings, logger);
    const cache = await RedisCache.open(redis, logger, systemClock);
    try {
      await eventually(() => redis.isReady(), "the Redis connection");
      await cache.set("permissions:u1", { roles: ["admin"] }, 600);
      expect(await cache.get("permissions:u1")).toEqual({ roles: ["admin"] });

      // The entry survives the outage (as with a network loss or a persisted Redis), so the
      // invalidation that failed meanwhile must still be delivered.
      await server.persist();
      await server.stop();
      await eventually(() => !redis.isReady(), "the loss to be noticed");
      const before = cache.stats();
      await expect(cache.get("permissions:u1")).resolves.toBeUndefined();
      await expect(cache.set("permissions:u2", 1, 60)).resolves.toBeUndefined();
      await expect(cache.delete(["permissions:u1"])).resolves.toBeUndefined();
      expect(cache.stats()).toMatchObject({ hits: before.hits, misses: before.misses + 1, errors: before.errors + 3 });

      await server.start();
      await eventually(() => redis.isReady(), "the reconnect");
      await eventually(async () => (await cache.get("permissions:u1")) === undefined, "the retried invalidation");
    } finally {
      await redis.close();
    }
  });
});
