import type { Clock } from "@gatehouse/domain";
import { chatPresenceBoardContract } from "@gatehouse/domain/testing";
import { afterAll } from "vitest";
import type { RedisSettings } from "../config/config.js";
import { createLogger } from "../logging/logger.js";
import { openRedis, type RedisConnection } from "../redis/redis-connection.js";
import {
  CONTRACT_COMMAND_TIMEOUT_MS,
  eventually,
  redisAnswers,
  redisServerMissing,
  redisTestSettings,
  sharedRedisUrl,
  startPrivateRedisCluster,
} from "../testing/redis-servers.js";
import { MemoryChatPresenceBoard, type MemoryPresenceSpace } from "./memory-chat-presence-board.js";
import { RedisChatPresenceBoard } from "./redis-chat-presence-board.js";

// The presence board's contract on the in-process board (a fake clock), on the shared Redis
// and on a private Redis Cluster (real time, a random key prefix per run: never FLUSH).
chatPresenceBoardContract("memory", async () => {
  let now = Date.parse("2026-01-01T00:00:00Z");
  const clock: Clock = { now: () => new Date(now) };
  const space: MemoryPresenceSpace = new Map();
  return {
    node: (ttlMs) => new MemoryChatPresenceBoard({ ttlMs, clock, space }),
    elapse: async (ms) => {
      now += ms;
    },
    close: async () => {},
  };
});

const connections: RedisConnection[] = [];
afterAll(async () => {
  await Promise.all(connections.map((c) => c.close()));
  await cluster?.dispose();
});

/** The board on `target`; boards on one connection are still two nodes: each has its own node id. */
function redisContract(name: string, target: RedisSettings["target"]): void {
  chatPresenceBoardContract(name, async () => {
    const connection = openRedis(
      redisTestSettings(target, CONTRACT_COMMAND_TIMEOUT_MS),
      createLogger({ level: "silent", pretty: false }),
    );
    connections.push(connection);
    await eventually(() => connection.isReady(), "Redis to become ready", 20_000);
    return {
      node: (ttlMs) => new RedisChatPresenceBoard(connection, ttlMs),
      elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      close: async () => {},
    };
  });
}

const url = sharedRedisUrl();
if (await redisAnswers(url)) redisContract("redis", { kind: "single", url });
else console.warn(`chat presence board: no Redis at ${url}, the Redis case is skipped`);

// A Cluster spreads rooms over slots: each room's keys must share one (the hash tag).
const serverMissing = redisServerMissing();
const cluster = serverMissing === undefined ? await startPrivateRedisCluster() : undefined;
if (cluster !== undefined) redisContract("redis cluster", { kind: "cluster", nodeUrls: cluster.nodeUrls });
else console.warn(`chat presence board: ${serverMissing}; the Redis Cluster case is skipped`);
