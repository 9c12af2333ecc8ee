import { webAuthnChallengeStoreContract } from "@gatehouse/domain/testing";
import { afterAll } from "vitest";
import { createLogger } from "../logging/logger.js";
import {
  CONTRACT_COMMAND_TIMEOUT_MS,
  redisAnswers,
  redisTestSettings,
  sharedRedisUrl,
} from "../testing/redis-servers.js";
import { openRedis, type RedisConnection } from "./redis-connection.js";
import { RedisWebAuthnChallenges } from "./redis-webauthn-challenges.js";

// The challenge store's contract on the shared Redis (random key prefix: never FLUSH); the
// database and in-memory adapters run it in their own suites.
const url = sharedRedisUrl();
const connections: RedisConnection[] = [];
afterAll(async () => {
  await Promise.all(connections.map((c) => c.close()));
});

if (await redisAnswers(url)) {
  webAuthnChallengeStoreContract("redis", async () => {
    const connection = openRedis(
      redisTestSettings({ kind: "single", url }, CONTRACT_COMMAND_TIMEOUT_MS),
      createLogger({ level: "silent", pretty: false }),
    );
    connections.push(connection);
    const until = Date.now() + 20_000;
    while (!connection.isReady()) {
      if (Date.now() > until) throw new Error("Redis did not become ready");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    let users = 0;
    return {
      store: new RedisWebAuthnChallenges(connection),
      // Redis checks no reference: any id will do.
      newUserId: async () => `00000000-0000-4000-8000-${(++users).toString(16).padStart(12, "0")}`,
      close: async () => {},
    };
  });
} else {
  console.warn(`webauthn challenge store: no Redis at ${url}, the Redis case is skipped`);
}
