import { createTestDatabase, postgresTestUrl, type TestDatabase } from "@gatehouse/infrastructure/testing";
import { type PrivateRedis, redisServerMissing, startPrivateRedis } from "@gatehouse/infrastructure/testing/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, type RunningServer, startServerProcess } from "./support/server-process.js";
import { TEST_JWT_SECRET } from "./support/test-server.js";

// README, "Scaling out", the rate-limit cases: three real server processes on one PostgreSQL database and
// one (private, stoppable) Redis, with the default limits.
const why =
  postgresTestUrl() === undefined
    ? "set DATABASE_URL or TEST_DATABASE_URL: three processes cannot share an embedded PGlite"
    : redisServerMissing();
if (why !== undefined) console.warn(`scale-out rate limit tests skipped: ${why}`);

let attemptCounter = 0;
/** A failed login on an email of its own, so only the per-address limit is in play. */
function attempt(node: RunningServer, clientIp: string) {
  attemptCounter += 1;
  const body = { email: `scale-${attemptCounter}@example.com`, password: "Wrong-password-1" };
  // TRUST_PROXY=loopback: the test is the proxy, naming each case's client address.
  return call(node.baseUrl, "POST", "/api/v1/auth/login", body, undefined, { "x-forwarded-for": clientIp });
}

async function readinessOf(node: RunningServer): Promise<string | undefined> {
  return (await call(node.baseUrl, "GET", "/health/ready")).body.status;
}

async function eventually(check: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(why !== undefined)("scale-out: the login limit across 3 nodes", () => {
  let database: TestDatabase;
  let redis: PrivateRedis;
  let nodes: RunningServer[] = [];

  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    redis = await startPrivateRedis();
    const env = {
      DATABASE_URL: database.url as string,
      REDIS_URL: redis.url,
      JWT_SECRET: TEST_JWT_SECRET,
      TRUST_PROXY: "loopback",
      // The production limit this test is about (development relaxes it to 30 a minute).
      RATE_LIMIT_AUTH_REQUESTS: "5",
    };
    nodes = await Promise.all([0, 1, 2].map(() => startServerProcess(env)));
    await eventually(async () => (await Promise.all(nodes.map(readinessOf))).every((s) => s === "ready"), "ready");
  }, 120_000);

  afterAll(async () => {
    for (const node of nodes) node.child.kill("SIGKILL");
    await Promise.all(nodes.map((node) => node.exited));
    await redis?.dispose();
    await database?.drop();
  });

  it("is global with Redis: the 6th attempt within a minute from one address, spread over 3 nodes, is 429", async () => {
    const statuses = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await attempt(nodes[i % 3] as RunningServer, "203.0.113.10")).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it("with Redis stopped, still applies per node (never unlimited), and is global again once Redis is back", async () => {
    await redis.stop();
    await eventually(
      async () => (await Promise.all(nodes.map(readinessOf))).every((s) => s === "degraded"),
      "degraded",
    );
    for (const [index, node] of nodes.entries()) {
      const statuses = [];
      for (let i = 0; i < 6; i += 1) statuses.push((await attempt(node, "203.0.113.20")).status);
      expect(statuses, `node ${index}`).toEqual([401, 401, 401, 401, 401, 429]);
    }

    await redis.start();
    await eventually(async () => (await Promise.all(nodes.map(readinessOf))).every((s) => s === "ready"), "ready");
    // The limiter retries Redis one second after its last failure; no restart needed.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const statuses = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await attempt(nodes[i % 3] as RunningServer, "203.0.113.30")).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });
});
