import { describe, expect, it } from "vitest";
import { FakeClock, FakeJobLock, FakeMaintenanceRepository } from "../testing/index.js";
import { type CleanupDeps, type CleanupPolicy, makeRunCleanup } from "./run-cleanup.js";

const DAY_MS = 86_400_000;
const POLICY: CleanupPolicy = {
  refreshTokenRetentionDays: 7,
  auditLogRetentionDays: 90,
  batchSize: 2,
  verificationTtlHours: 24,
};

/** The registration, code and throttle deletions of a fake, for repositories built by hand. */
function lifecycleDeletes(fake: FakeMaintenanceRepository) {
  return {
    deleteExpiredRegistrations: fake.deleteExpiredRegistrations.bind(fake),
    deleteOneTimeCodesEndedBefore: fake.deleteOneTimeCodesEndedBefore.bind(fake),
    deleteThrottleRecordsBefore: fake.deleteThrottleRecordsBefore.bind(fake),
  };
}

function setup(policy: CleanupPolicy = POLICY) {
  const clock = new FakeClock("2024-06-01T00:00:00.000Z");
  const maintenance = new FakeMaintenanceRepository();
  const jobLock = new FakeJobLock();
  const runCleanup = makeRunCleanup({ maintenance, jobLock, clock, policy });
  const daysAgo = (days: number) => new Date(clock.now().getTime() - days * DAY_MS);
  return { clock, maintenance, jobLock, runCleanup, daysAgo };
}

describe("runCleanup", () => {
  it("deletes in batches until a batch comes back short", async () => {
    const { maintenance, runCleanup, daysAgo } = setup();
    maintenance.refreshTokenEnds = [8, 9, 10, 30, 365].map(daysAgo);
    maintenance.auditTimestamps = [91, 100, 200].map(daysAgo);
    maintenance.registrationEnds = [0.1, 0.2, 5].map(daysAgo);
    maintenance.oneTimeCodeEnds = [0.01, 1].map(daysAgo);
    maintenance.throttleRecords = [1, 3].map(daysAgo);

    const summary = await runCleanup();

    expect(summary).toEqual({
      job: "cleanup",
      skipped: false,
      refresh_tokens_deleted: 5,
      audit_entries_deleted: 3,
      registrations_expired: 3,
      one_time_codes_deleted: 2,
      throttle_records_deleted: 1,
      duration_ms: 0,
    });
    expect(maintenance.calls.map((call) => [call.table, call.deleted])).toEqual([
      ["refresh_tokens", 2],
      ["refresh_tokens", 2],
      ["refresh_tokens", 1],
      ["audit_logs", 2],
      ["audit_logs", 1],
      ["registrations", 2],
      ["registrations", 1],
      ["one_time_codes", 2],
      ["one_time_codes", 0],
      ["mail_throttle", 1],
    ]);
    // Throttle records live two days: the per-address daily cap must still see yesterday's sends.
    expect(maintenance.calls.find((call) => call.table === "mail_throttle")?.cutoff).toEqual(daysAgo(2));
    expect(maintenance.calls.every((call) => call.batchSize === 2)).toBe(true);
  });

  it("asks once more after a full last batch, and stops on the empty one", async () => {
    const { maintenance, runCleanup, daysAgo } = setup();
    maintenance.refreshTokenEnds = [8, 9, 10, 11].map(daysAgo);
    const summary = await runCleanup();
    expect(summary).toMatchObject({ refresh_tokens_deleted: 4, audit_entries_deleted: 0 });
    expect(maintenance.calls.map((call) => [call.table, call.deleted])).toEqual([
      ["refresh_tokens", 2],
      ["refresh_tokens", 2],
      ["refresh_tokens", 0],
      ["audit_logs", 0],
      ["registrations", 0],
      ["one_time_codes", 0],
      ["mail_throttle", 0],
    ]);
  });

  it("keeps rows within their retention", async () => {
    const { maintenance, runCleanup, daysAgo } = setup();
    const recentTokens = [0, 1, 6.9].map(daysAgo);
    const recentAudit = [7, 30, 89.9].map(daysAgo);
    maintenance.refreshTokenEnds = [...recentTokens, daysAgo(8)];
    maintenance.auditTimestamps = [...recentAudit, daysAgo(91)];

    expect(await runCleanup()).toMatchObject({ refresh_tokens_deleted: 1, audit_entries_deleted: 1 });
    expect(maintenance.refreshTokenEnds).toEqual(recentTokens);
    expect(maintenance.auditTimestamps).toEqual(recentAudit);
  });

  it("computes each cutoff from its own retention", async () => {
    const { maintenance, runCleanup, daysAgo } = setup();
    await runCleanup();
    const tokenCall = maintenance.calls.find((call) => call.table === "refresh_tokens");
    const auditCall = maintenance.calls.find((call) => call.table === "audit_logs");
    expect(tokenCall?.cutoff).toEqual(daysAgo(7));
    expect(auditCall?.cutoff).toEqual(daysAgo(90));
  });

  it("reports how long the run took by the clock", async () => {
    const { clock, jobLock } = setup();
    const inner = new FakeMaintenanceRepository();
    const slow: CleanupDeps["maintenance"] = {
      ...lifecycleDeletes(inner),
      deleteRefreshTokensEndedBefore: async (cutoff, batchSize) => {
        clock.advanceMs(150);
        return inner.deleteRefreshTokensEndedBefore(cutoff, batchSize);
      },
      deleteAuditEntriesBefore: async (cutoff, batchSize) => {
        clock.advanceMs(50);
        return inner.deleteAuditEntriesBefore(cutoff, batchSize);
      },
    };
    const runCleanup = makeRunCleanup({ maintenance: slow, jobLock, clock, policy: POLICY });
    expect(await runCleanup()).toMatchObject({ skipped: false, duration_ms: 200 });
  });

  it("runs under the gatehouse.cleanup lock and releases it", async () => {
    const { jobLock, runCleanup } = setup();
    await runCleanup();
    expect(jobLock.attempts).toEqual(["gatehouse.cleanup"]);
    expect(jobLock.isHeld("gatehouse.cleanup")).toBe(false);
  });

  it("skips, touching nothing, when another run holds the lock", async () => {
    const { jobLock, maintenance, runCleanup, daysAgo } = setup();
    maintenance.refreshTokenEnds = [daysAgo(30)];
    jobLock.holdElsewhere("gatehouse.cleanup");

    expect(await runCleanup()).toEqual({ job: "cleanup", skipped: true, reason: "another run holds the lock" });
    expect(maintenance.calls).toEqual([]);
    expect(maintenance.refreshTokenEnds).toHaveLength(1);
  });

  it("runs again once the other holder lets go", async () => {
    const { jobLock, runCleanup } = setup();
    jobLock.holdElsewhere("gatehouse.cleanup");
    expect(await runCleanup()).toMatchObject({ skipped: true });
    jobLock.release("gatehouse.cleanup");
    expect(await runCleanup()).toMatchObject({ skipped: false });
  });

  it("propagates a deletion failure and releases the lock", async () => {
    const { clock, jobLock } = setup();
    const broken: CleanupDeps["maintenance"] = {
      ...lifecycleDeletes(new FakeMaintenanceRepository()),
      deleteRefreshTokensEndedBefore: () => Promise.reject(new Error("statement timeout")),
      deleteAuditEntriesBefore: async () => 0,
    };
    const runCleanup = makeRunCleanup({ maintenance: broken, jobLock, clock, policy: POLICY });
    await expect(runCleanup()).rejects.toThrow("statement timeout");
    expect(jobLock.isHeld("gatehouse.cleanup")).toBe(false);
  });
});
