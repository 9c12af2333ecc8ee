import { tmpdir } from "node:os";
import { makeRateLimitRefusalLog } from "@gatehouse/infrastructure";
import { testDatabaseKinds } from "@gatehouse/infrastructure/testing";
import { describe, expect, it } from "vitest";
import { daysAgo, runCaptured, suiteDatabase, summaryOf } from "./support.js";

describe.each(testDatabaseKinds())("cleanup: rate-limit refusal counts (%s)", (kind) => {
  const suite = suiteDatabase(kind);
  const run = () => runCaptured(["cleanup"], {}, { cwd: tmpdir(), database: suite.database.handle });
  const day = (ageDays: number) => daysAgo(ageDays).toISOString().slice(0, 10);

  it("deletes the days older than 90 and keeps the dashboard's", async () => {
    const log = makeRateLimitRefusalLog(suite.db);
    await log.add([
      { day: day(120), category: "auth", count: 5 },
      { day: day(91), category: "api", count: 1 },
      { day: day(89), category: "auth", count: 2 },
      { day: day(0), category: "login_failures", count: 3 },
    ]);
    expect(summaryOf(await run())).toMatchObject({ rate_limit_refusal_rows_deleted: 2 });
    expect((await log.dailyCounts("2000-01-01")).map((row) => row.day)).toEqual([day(89), day(0)]);
    expect(summaryOf(await run())).toMatchObject({ rate_limit_refusal_rows_deleted: 0 });
  });
});
