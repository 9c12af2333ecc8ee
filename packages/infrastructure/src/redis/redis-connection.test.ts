import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RedisSettings } from "../config/config.js";
import { createLogger } from "../logging/logger.js";
import {
  eventually,
  freeRedisPort,
  type PrivateRedis,
  type PrivateRedisCluster,
  redisAnswers,
  redisServerMissing,
  redisTestSettings,
  sharedRedisUrl,
  startPrivateRedis,
  startPrivateRedisCluster,
} from "../testing/redis-servers.js";
import { openRedis, type RedisConnection, RedisScript, reconnectDelayMs } from "./redis-connection.js";

const run = promisify(execFile);
const logger = createLogger({ level: "silent", pretty: false });
const missing = redisServerMissing();
const sharedUp = await redisAnswers(sharedRedisUrl());
if (missing !== undefined) console.warn(missing);

function commandsSuite(name: string, settings: () => RedisSettings) {
  describe(name, () => {
    let redis: RedisConnection;
    beforeAll(async () => {
      redis = openRedis(settings(), logger);
      await eventually(() => redis.isReady(), "connection");
    });
    afterAll(() => redis.close());

    it("sets with a TTL, reads and deletes keys spread over slots", async () => {
      const keys = Array.from({ length: 10 }, (_, index) => `k:${index}`);
      await Promise.all(keys.map((key) => redis.set(key, `value-${key}`, 60)));
      expect(await redis.get("k:3")).toBe("value-k:3");
      await redis.del(keys);
      expect(await Promise.all(keys.map((key) => redis.get(key)))).toEqual(keys.map(() => null));
    });

    it("runs a script over hash-tagged keys, sending the source only when the server lacks it", async () => {
      // A body unique to this run, so the server cannot have it cached: the first call hits NOSCRIPT.
      const script = new RedisScript(
        `-- ${randomBytes(8).toString("hex")}\nredis.call('SET', KEYS[1], ARGV[1]); redis.call('SET', KEYS[2], ARGV[1]); return redis.call('GET', KEYS[2])`,
      );
      const keys = ["pair:{tag}:a", "pair:{tag}:b"];
      expect(await redis.runScript(script, keys, ["x"])).toBe("x");
      expect(await redis.runScript(script, keys, ["y"])).toBe("y");
      expect(await redis.get("pair:{tag}:a")).toBe("y");
      await redis.del(keys);
    });

    it("reads sorted-set members by score", async () => {
      const script = new RedisScript("redis.call('ZADD', KEYS[1], ARGV[1], 'a', ARGV[2], 'b'); return 1");
      await redis.runScript(script, ["zset"], ["10", "20"]);
      expect(await redis.zRangeByScore("zset", 15, Number.POSITIVE_INFINITY)).toEqual(["b"]);
      await redis.del(["zset"]);
    });

    it("delivers published messages to subscribers of the prefixed channel", async () => {
      const received: string[] = [];
      const listener = openRedis({ ...settings(), keyPrefix: redis.keyPrefix }, logger);
      try {
        await listener.subscribe("events", (message) => received.push(message));
        await eventually(async () => {
          await redis.publish("events", "hello");
          return received.includes("hello");
        }, "a published message");
      } finally {
        await listener.close();
      }
    });

    it("reports itself healthy to readiness", async () => {
      expect(redis.probe.name).toBe("redis");
      await expect(redis.probe.ping()).resolves.toBeUndefined();
    });
  });
}

describe.skipIf(!sharedUp)("Redis connection on one server (shared Redis, random key prefix)", () => {
  const settings = redisTestSettings({ kind: "single", url: sharedRedisUrl() });
  commandsSuite("commands", () => settings);

  // Regression: closing while the first connect was still in progress destroyed the client
  // mid-connect, which left its sockets open, so every CLI command run with REDIS_URL hung.
  it("closing during the first connect leaves no socket open", async () => {
    const port = Number(new URL(sharedRedisUrl()).port || 6379);
    const socketsToRedis = () =>
      (process as unknown as { _getActiveHandles(): unknown[] })
        ._getActiveHandles()
        .filter((handle) => (handle as { remotePort?: number }).remotePort === port).length;
    const before = socketsToRedis();
    const redis = openRedis(settings, logger);
    await redis.subscribe(`close-test-${randomBytes(4).toString("hex")}`, () => {});
    await redis.close();
    await eventually(() => socketsToRedis() === before, "the sockets to close", 5_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(socketsToRedis()).toBe(before);
  });
});

describe.skipIf(missing !== undefined)("Redis connection on a 3-master Redis Cluster", () => {
  let cluster: PrivateRedisCluster;
  let settings: RedisSettings;
  beforeAll(async () => {
    cluster = await startPrivateRedisCluster();
    settings = redisTestSettings({ kind: "cluster", nodeUrls: cluster.nodeUrls });
  }, 60_000);
  afterAll(() => cluster?.dispose());
  commandsSuite("commands", () => settings);
});

describe.skipIf(missing !== undefined)("Redis connection loss", () => {
  let server: PrivateRedis;
  beforeAll(async () => {
    server = await startPrivateRedis();
  });
  afterAll(() => server?.dispose());

  it("fails commands fast while Redis is down, reports unhealthy, and recovers without a restart", async () => {
    const redis = openRedis(redisTestSettings({ kind: "single", url: server.url }), logger);
    let reconnects = 0;
    redis.onReconnect(() => reconnects++);
    try {
      await eventually(() => redis.isReady(), "connection");
      await redis.set("k", "before", 60);

      await server.stop();
      await eventually(() => !redis.isReady(), "the loss to be noticed");
      await expect(redis.get("k")).rejects.toThrow();
      await expect(redis.probe.ping()).rejects.toThrow();

      await server.start();
      await eventually(() => redis.isReady(), "the reconnect");
      expect(reconnects).toBe(1);
      await redis.set("k", "after", 60);
      expect(await redis.get("k")).toBe("after");
      await expect(redis.probe.ping()).resolves.toBeUndefined();
    } finally {
      await redis.close();
    }
  });

  it("bounds commands on a frozen Redis (SIGSTOP), fails over at once after the first timeout, recovers on SIGCONT", async () => {
    const redis = openRedis(redisTestSettings({ kind: "single", url: server.url }), logger);
    let reconnects = 0;
    redis.onReconnect(() => reconnects++);
    await eventually(() => redis.isReady(), "connection");
    await redis.set("frozen", "kept", 60);
    const { stdout } = await run("redis-cli", ["-p", String(server.port), "INFO", "server"], { timeout: 2000 });
    const pid = Number(/process_id:(\d+)/.exec(stdout)?.[1]);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, "SIGSTOP");
    try {
      // node-redis has written the command, so only our own bound ends it.
      await expect(redis.get("frozen")).rejects.toThrow("did not answer within 200 ms");
      expect(redis.isReady()).toBe(false);
      await expect(redis.get("frozen")).rejects.toThrow("not answering");
      await expect(redis.probe.ping()).rejects.toThrow("not answering");
    } finally {
      process.kill(pid, "SIGCONT");
    }
    try {
      await eventually(() => redis.isReady(), "the stall to clear");
      expect(reconnects).toBe(1); // listeners resynchronise what they may have missed
      expect(await redis.get("frozen")).toBe("kept");
      await expect(redis.probe.ping()).resolves.toBeUndefined();
    } finally {
      await redis.close();
    }
  });

  it("starts while Redis is unreachable: commands fail instead of waiting", async () => {
    const port = await freeRedisPort();
    const redis = openRedis(redisTestSettings({ kind: "single", url: `redis://127.0.0.1:${port}` }), logger);
    try {
      expect(redis.isReady()).toBe(false);
      await expect(redis.get("k")).rejects.toThrow();
      await expect(redis.probe.ping()).rejects.toThrow("not connected");
    } finally {
      await redis.close();
    }
  });
});

describe("reconnectDelayMs", () => {
  it("backs off exponentially from about 50 ms to at most 2 s", () => {
    for (let retries = 0; retries < 20; retries++) {
      const delay = reconnectDelayMs(retries);
      const base = Math.min(2000, 50 * 2 ** Math.min(retries, 6));
      expect(delay).toBeGreaterThanOrEqual(base / 2);
      expect(delay).toBeLessThanOrEqual(base);
    }
  });
});
