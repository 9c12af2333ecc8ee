import type { Clock } from "@gatehouse/domain";
import { chatPresenceBoardContract } from "@gatehouse/domain/testing";
import { afterAll } from "vitest";
import { createLogger } from "../logging/logger.js";
import { openRedis, type RedisConnection } from "../redis/redis-connection.js";
import {
  CONTRACT_COMMAND_TIMEOUT_MS,
  eventually,
  redisAnswers,
  redisTestSettings,
  sharedRedisUrl,
} from "../testing/redis-servers.js";
import { MemoryChatPresenceBoard, type MemoryPresenceSpace } from "./memory-chat-presence-board.js";
import { RedisChatPresenceBoard } from "./redis-chat-presence-board.js";

// The presence board's contract on the in-process board (a fake clock) and on the shared
// Redis (real time, a random key prefix per run: never FLUSH).
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

const url = sharedRedisUrl();
const connections: RedisConnection[] = [];
afterAll(async () => {
  await Promise.all(connections.map((c) => c.close()));
});

if (await redisAnswers(url)) {
  chatPresenceBoardContract("redis", async () => {
    const connection = openRedis(
      redisTestSettings({ kind: "single", url }, CONTRACT_COMMAND_TIMEOUT_MS),
      createLogger({ level: "silent", pretty: false }),
    );
    connections.push(connection);
    await eventually(() => connection.isReady(), "Redis to become ready", 20_000);
    return {
      // Boards on one connection are still two nodes: each has its own node id.
      node: (ttlMs) => new RedisChatPresenceBoard(connection, ttlMs),
      elapse: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      close: async () => {},
    };
  });
} else {
  console.warn(`chat presence board: no Redis at ${url}, the Redis case is skipped`);
}
