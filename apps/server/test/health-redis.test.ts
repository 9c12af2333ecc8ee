import { type PrivateRedis, redisServerMissing, startPrivateRedis } from "@gatehouse/infrastructure/testing/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readinessBecomes } from "./support/http.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

const missing = redisServerMissing();
if (missing !== undefined) console.warn(missing);

describe.skipIf(missing !== undefined)("readiness with Redis", () => {
  let redis: PrivateRedis;
  let t: TestServer;
  beforeAll(async () => {
    redis = await startPrivateRedis();
    t = await startTestServer({ REDIS_URL: redis.url });
  });
  afterAll(async () => {
    await t?.close();
    await redis?.dispose();
  });

  it("is ready with Redis healthy, degraded (still 200) while Redis is down, ready again when it returns", async () => {
    expect(await readinessBecomes(t, "ready")).toMatchObject({
      httpStatus: 200,
      checks: { database: { status: "healthy" }, redis: { status: "healthy", latency_ms: expect.any(Number) } },
    });

    await redis.stop();
    expect(await readinessBecomes(t, "degraded")).toMatchObject({
      httpStatus: 200,
      checks: { database: { status: "healthy" }, redis: { status: "unhealthy", latency_ms: null } },
    });

    await redis.start();
    expect(await readinessBecomes(t, "ready")).toMatchObject({ httpStatus: 200 });
  });
});
