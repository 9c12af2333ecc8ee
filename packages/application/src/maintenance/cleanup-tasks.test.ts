import { describe, expect, it } from "vitest";
import { makeDeliverDueMail } from "../mail/deliver-due-mail.js";
import { FakeClock, FakeJobLock, FakeMailer, FakeMailQueue, FakeMaintenanceRepository } from "../testing/index.js";
import { makeMailOutboxTask, makePurgeDeletedUsersTask, makeSecondFactorCleanupTask } from "./cleanup-tasks.js";
import { makeRunCleanup } from "./run-cleanup.js";

const DAY_MS = 86_400_000;

describe("cleanup tasks", () => {
  it("purges users deleted before the cutoff in batches, and never with 0 days", async () => {
    const clock = new FakeClock("2024-06-01T00:00:00.000Z");
    const maintenance = new FakeMaintenanceRepository();
    const ago = (days: number) => new Date(clock.now().getTime() - days * DAY_MS);
    maintenance.deletedUsers = [31, 40, 400, 10].map(ago);
    const never = makePurgeDeletedUsersTask({ maintenance, purgeAfterDays: 0, batchSize: 2 });
    expect(await never.run(clock.now())).toEqual({ users_purged: 0 });
    expect(maintenance.deletedUsers).toHaveLength(4);
    const purge = makePurgeDeletedUsersTask({ maintenance, purgeAfterDays: 30, batchSize: 2 });
    expect(await purge.run(clock.now())).toEqual({ users_purged: 3 });
    expect(await purge.run(clock.now())).toEqual({ users_purged: 0 });
  });

  it("gives up on stale mail, then delivers due mail in rounds until one comes back short", async () => {
    const clock = new FakeClock("2024-06-01T00:00:00.000Z");
    const queue = new FakeMailQueue(clock);
    const mailer = new FakeMailer();
    queue.add({ to: "stale@example.com", template: "password-changed", data: { username: "s" } });
    clock.advanceSeconds(25 * 3600);
    for (const to of ["a@example.com", "b@example.com", "c@example.com"]) {
      queue.add({ to, template: "password-changed", data: { username: to } });
    }
    const policy = { batchSize: 2, maxAttempts: 3, retryBaseSeconds: 30, retryMaxSeconds: 3600, leaseSeconds: 120 };
    const deliver = makeDeliverDueMail({ queue, mailer, clock, policy });
    const task = makeMailOutboxTask({ queue, deliver, giveUpAfterHours: 24, batchSize: 2, maxRounds: 10 });
    expect(await task.run(clock.now())).toEqual({ mail_given_up: 1, mail_sent: 3, mail_retried: 0, mail_failed: 0 });
    expect(mailer.sent.map((mail) => mail.to).sort()).toEqual(["a@example.com", "b@example.com", "c@example.com"]);
  });

  it("adds each task's counts to the cleanup summary, inside the cleanup lock", async () => {
    const clock = new FakeClock();
    const jobLock = new FakeJobLock();
    const runCleanup = makeRunCleanup({
      maintenance: new FakeMaintenanceRepository(),
      jobLock,
      clock,
      policy: { refreshTokenRetentionDays: 7, auditLogRetentionDays: 90, batchSize: 10, verificationTtlHours: 24 },
      tasks: [
        {
          run: async () => {
            expect(jobLock.isHeld("gatehouse.cleanup")).toBe(true);
            return { things_done: 2 };
          },
        },
      ],
    });
    expect(await runCleanup()).toMatchObject({ skipped: false, refresh_tokens_deleted: 0, things_done: 2 });
  });
  it("deletes expired second-factor challenges in batches, then orphaned session assurance", async () => {
    const maintenance = new FakeMaintenanceRepository();
    const now = new Date("2026-01-01T12:00:00Z");
    maintenance.challengeExpiries = [
      new Date(now.getTime() - 60_000),
      new Date(now.getTime() - 30_000),
      new Date(now.getTime() - 1),
      new Date(now.getTime() + 60_000),
    ];
    maintenance.orphanedAssurance = 3;
    const summary = await makeSecondFactorCleanupTask({ maintenance, batchSize: 2 }).run(now);
    expect(summary).toEqual({ mfa_challenges_deleted: 3, session_assurance_deleted: 3 });
    expect(maintenance.challengeExpiries).toHaveLength(1);
    expect(maintenance.calls.filter((c) => c.table === "second_factor_challenges")).toHaveLength(2);
  });
});
