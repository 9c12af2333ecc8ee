import type { RateLimitRefusalLog } from "@gatehouse/domain";
import { afterAll, describe, expect, it } from "vitest";
import { makeRateLimitRefusalLog } from "../db/rate-limit-refusal-log.js";
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from "../testing/test-database.js";
import { MemoryRateLimitRefusalLog } from "./memory-refusal-log.js";

const opened: TestDatabase[] = [];
afterAll(async () => {
  await Promise.all(opened.map((database) => database.drop()));
});

/** A fresh, empty log; the database ones each on a database of their own (dropped afterwards). */
type Factory = () => Promise<RateLimitRefusalLog>;
const onDatabase =
  (kind: TestDatabase["kind"]): Factory =>
  async () => {
    const database = await createTestDatabase(kind);
    opened.push(database);
    return makeRateLimitRefusalLog(database.handle.db);
  };
const adapters: Array<[string, Factory]> = [
  ["memory", async () => new MemoryRateLimitRefusalLog()],
  ...testDatabaseKinds({ pgbouncer: true }).map((kind): [string, Factory] => [kind, onDatabase(kind)]),
];

describe.each(adapters)("RateLimitRefusalLog contract: %s", (_name, make) => {
  it("adds increments to their (day, category) row, so flushes and instances add up", async () => {
    const log = await make();
    await log.add([
      { day: "2030-05-01", category: "auth", count: 3 },
      { day: "2030-05-01", category: "login_failures", count: 1 },
    ]);
    // A second instance's flush, with the same key twice in one batch.
    await log.add([
      { day: "2030-05-01", category: "auth", count: 2 },
      { day: "2030-05-01", category: "auth", count: 5 },
      { day: "2030-05-02", category: "api_anonymous", count: 4 },
    ]);
    await log.add([]);
    expect(await log.dailyCounts("2030-05-01")).toEqual([
      { day: "2030-05-01", category: "auth", count: 10 },
      { day: "2030-05-01", category: "login_failures", count: 1 },
      { day: "2030-05-02", category: "api_anonymous", count: 4 },
    ]);
  });

  it("concurrent flushes of the same key lose no increment", async () => {
    const log = await make();
    await Promise.all(Array.from({ length: 8 }, () => log.add([{ day: "2030-05-03", category: "refresh", count: 1 }])));
    expect(await log.dailyCounts("2030-05-03")).toEqual([{ day: "2030-05-03", category: "refresh", count: 8 }]);
  });

  it("answers the days from `sinceDay` on, and deletes the days before a cutoff", async () => {
    const log = await make();
    await log.add([
      { day: "2030-01-31", category: "admin", count: 1 },
      { day: "2030-02-01", category: "admin", count: 2 },
      { day: "2030-02-01", category: "api", count: 6 },
      { day: "2030-02-02", category: "api", count: 3 },
    ]);
    expect((await log.dailyCounts("2030-02-02")).map((row) => row.day)).toEqual(["2030-02-02"]);
    expect(await log.deleteDaysBefore("2030-02-02")).toBe(3);
    expect(await log.deleteDaysBefore("2030-02-02")).toBe(0);
    expect(await log.dailyCounts("2000-01-01")).toEqual([{ day: "2030-02-02", category: "api", count: 3 }]);
  });
});
