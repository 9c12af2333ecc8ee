import type { AuditAction } from "@gatehouse/domain";
import { describe, expect, it } from "vitest";
import { FakeClock } from "../testing/index.js";
import { makeGetDailyActivity } from "./get-daily-activity.js";

describe("getDailyActivity", () => {
  it("lays the grouped counts and the refusals out per day, oldest first, zero-filled, summing the actions of each series", async () => {
    const clock = new FakeClock("2030-05-03T15:00:00.000Z");
    const asked: Array<{ actions: readonly AuditAction[]; since: Date }> = [];
    const refusalsSince: string[] = [];
    const rows = [
      { day: "2030-05-01", action: "auth.login", count: 2 },
      { day: "2030-05-01", action: "mfa.verify", count: 1 },
      { day: "2030-05-03", action: "auth.oauth_login", count: 4 },
      { day: "2030-05-03", action: "auth.login_failed", count: 5 },
      { day: "2030-05-02", action: "auth.register", count: 3 },
    ] as const;
    const getDailyActivity = makeGetDailyActivity({
      clock,
      auditLog: {
        dailyCounts: async (query) => {
          asked.push(query);
          return [...rows];
        },
      },
      refusals: {
        dailyCounts: async (sinceDay) => {
          refusalsSince.push(sinceDay);
          return [
            { day: "2030-05-02", category: "auth", count: 7 },
            { day: "2030-05-02", category: "login_failures", count: 2 },
            { day: "2030-05-03", category: "api_anonymous", count: 1 },
          ];
        },
      },
    });
    const activity = await getDailyActivity(3);
    expect(asked[0]?.since.toISOString()).toBe("2030-05-01T00:00:00.000Z");
    expect(activity.days).toEqual(["2030-05-01", "2030-05-02", "2030-05-03"]);
    expect(activity.series).toEqual({
      registrations: [0, 3, 0],
      signIns: [3, 0, 4],
      failedSignIns: [0, 0, 5],
      // Every category of refusal together, from the first day of the window.
      rateLimited: [0, 9, 1],
    });
    expect(refusalsSince).toEqual(["2030-05-01"]);
    // A step-up is audited under its own action, so it never counts as a sign-in.
    expect(asked[0]?.actions).not.toContain("mfa.step_up");
  });
});
