import type { Clock, SessionRevocations } from "@gatehouse/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RedisSettings } from "../config/config.js";
import { createLogger } from "../logging/logger.js";
import { openRedis, type RedisConnection } from "../redis/redis-connection.js";
import { RedisSessionRevocations } from "../redis/redis-session-revocations.js";
import {
  eventually,
  type PrivateRedis,
  redisServerMissing,
  redisTestSettings,
  redisTestTargets,
  startPrivateRedis,
} from "../testing/redis-servers.js";
import { MemorySessionRevocations } from "./memory-session-revocations.js";

const logger = createLogger({ level: "silent", pretty: false });
const RETAIN = 900;

class MovableClock implements Clock {
  private offset = 0;
  now = () => new Date(Date.now() + this.offset);
  advance(seconds: number) {
    this.offset += seconds * 1000;
  }
}

/** Sessions revoked "in PostgreSQL" (the refresh-token families) that instances reload. */
function databaseOf(clock: Clock) {
  const revokedAt = new Map<string, number>();
  return {
    record: (sids: string[]) => {
      for (const sid of sids) revokedAt.set(sid, clock.now().getTime());
    },
    since: async (since: Date) => [...revokedAt].filter(([, at]) => at >= since.getTime()).map(([sid]) => sid),
  };
}

interface Backend {
  readonly shared: boolean;
  open(clock: Clock, database?: ReturnType<typeof databaseOf>): Promise<SessionRevocations>;
}

function contract(name: string, backend: () => Backend) {
  describe(`SessionRevocations contract: ${name}`, () => {
    it("refuses revoked sessions only, until every access token of them has expired", async () => {
      const clock = new MovableClock();
      const revocations = await backend().open(clock);
      await revocations.revoke(["s1", "s2"]);
      expect(await revocations.isRevoked("s1")).toBe(true);
      expect(await revocations.isRevoked("s2")).toBe(true);
      expect(await revocations.isRevoked("s3")).toBe(false);
      clock.advance(RETAIN + 1);
      expect(await revocations.isRevoked("s1")).toBe(false);
    });

    it("a revoke on one instance is refused by every other instance on its next check", async ({ skip }) => {
      if (!backend().shared) skip("an in-memory list serves one process only");
      const clock = new MovableClock();
      const [a, b] = await Promise.all([backend().open(clock), backend().open(clock)]);
      await a.revoke(["logged-out"]);
      await eventually(() => b.isRevoked("logged-out"), "instance B to learn the revocation");
      const late = await backend().open(clock);
      expect(await late.isRevoked("logged-out")).toBe(true);
    });
  });
}

contract("MemorySessionRevocations", () => ({
  shared: false,
  open: async (clock) => new MemorySessionRevocations(clock, RETAIN),
}));

const opened: { redis: RedisConnection; revocations: RedisSessionRevocations }[] = [];
async function openOn(settings: RedisSettings, clock: Clock, database = databaseOf(clock)) {
  const redis = openRedis(settings, logger);
  await eventually(() => redis.isReady(), "the Redis connection");
  const revocations = await RedisSessionRevocations.open({
    redis,
    clock,
    retainSeconds: RETAIN,
    revokedInDatabaseSince: database.since,
    logger,
    pollWhileDownMs: 100,
  });
  opened.push({ redis, revocations });
  return revocations;
}
afterAll(async () => {
  for (const { redis, revocations } of opened) {
    revocations.close();
    await redis.close();
  }
});

for (const target of await redisTestTargets()) {
  describe(target.name, () => {
    let settings: RedisSettings;
    let dispose: () => Promise<void>;
    beforeAll(async () => {
      ({ settings, dispose } = await target.start());
    }, 60_000);
    afterAll(() => dispose?.());
    contract(`RedisSessionRevocations on ${target.name}`, () => ({
      shared: true,
      open: (clock, database) => openOn(settings, clock, database),
    }));
  });
}

const missing = redisServerMissing();
describe.skipIf(missing !== undefined)("RedisSessionRevocations while Redis is down", () => {
  let server: PrivateRedis;
  beforeAll(async () => {
    server = await startPrivateRedis();
  });
  afterAll(() => server?.dispose());

  it("the revoking instance refuses at once, others learn from PostgreSQL, Redis catches up on return", async () => {
    const clock = new MovableClock();
    const database = databaseOf(clock);
    const settings = redisTestSettings({ kind: "single", url: server.url });
    const a = await openOn(settings, clock, database);
    const b = await openOn(settings, clock, database);
    const mine = opened.slice(-2).map(({ redis }) => redis);

    await server.stop();
    await eventually(() => mine.every((redis) => !redis.isReady()), "the loss to be noticed");
    // What the log-out use case does: the family is revoked in the database, then the port is told.
    database.record(["during-outage"]);
    await a.revoke(["during-outage"]);
    expect(await a.isRevoked("during-outage")).toBe(true);
    await eventually(() => b.isRevoked("during-outage"), "B to learn it from the database poll");

    await server.start();
    await eventually(() => mine.every((redis) => redis.isReady()), "the reconnect");
    // A newcomer whose database knows nothing still learns it: A wrote it to Redis on reconnect.
    const newcomer = await openOn(settings, clock, databaseOf(clock));
    await eventually(() => newcomer.isRevoked("during-outage"), "the newcomer to load it from Redis");
  });
});
