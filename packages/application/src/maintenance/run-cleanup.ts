import type { Clock, JobLock, MaintenanceRepository } from "@gatehouse/domain";
import { HOUR_MS } from "../shared/lifecycle-policy.js";

export interface CleanupPolicy {
  readonly refreshTokenRetentionDays: number;
  readonly auditLogRetentionDays: number;
  readonly batchSize: number;
  /** Never-verified registrations older than this, without a valid code, are deleted. */
  readonly verificationTtlHours: number;
}

/**
 * More maintenance run under the cleanup lock after the retention deletes (the registry of
 * what `cleanup` does is the list the worker passes). Each returns the counts it adds to the
 * summary line, and must be batched and safe to repeat.
 */
export interface CleanupTask {
  run(now: Date): Promise<Readonly<Record<string, number>>>;
}

export interface CleanupDeps {
  readonly maintenance: Pick<
    MaintenanceRepository,
    | "deleteRefreshTokensEndedBefore"
    | "deleteAuditEntriesBefore"
    | "deleteExpiredRegistrations"
    | "deleteOneTimeCodesEndedBefore"
    | "deleteThrottleRecordsBefore"
  >;
  readonly jobLock: JobLock;
  readonly clock: Clock;
  readonly policy: CleanupPolicy;
  readonly tasks?: readonly CleanupTask[];
}

export type CleanupSummary =
  | { readonly job: "cleanup"; readonly skipped: true; readonly reason: "another run holds the lock" }
  | ({
      readonly job: "cleanup";
      readonly skipped: false;
      readonly refresh_tokens_deleted: number;
      readonly audit_entries_deleted: number;
      readonly registrations_expired: number;
      readonly one_time_codes_deleted: number;
      readonly throttle_records_deleted: number;
      readonly duration_ms: number;
    } & Readonly<Record<string, number | string | boolean>>);

const DAY_MS = 86_400_000;

/** Repeats `deleteBatch` until a batch comes back short; returns the total. */
export async function deleteInBatches(deleteBatch: () => Promise<number>, batchSize: number): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await deleteBatch();
    total += deleted;
    if (deleted < batchSize) return total;
  }
}

/**
 * Deletes refresh tokens that ended (expired or revoked), audit entries past their retention,
 * expired never-verified registrations (freeing their email and username, README: Worker),
 * ended one-time codes and old throttle records, in batches so no single statement holds locks for long. Runs under a
 * cluster-wide lock: a second concurrent run does nothing and says so.
 */
export function makeRunCleanup(deps: CleanupDeps) {
  return async function runCleanup(): Promise<CleanupSummary> {
    const started = deps.clock.now();
    const outcome = await deps.jobLock.tryRun("gatehouse.cleanup", async () => {
      const tokenCutoff = new Date(started.getTime() - deps.policy.refreshTokenRetentionDays * DAY_MS);
      const auditCutoff = new Date(started.getTime() - deps.policy.auditLogRetentionDays * DAY_MS);
      const { batchSize } = deps.policy;
      const tokens = await deleteInBatches(
        () => deps.maintenance.deleteRefreshTokensEndedBefore(tokenCutoff, batchSize),
        batchSize,
      );
      const audit = await deleteInBatches(
        () => deps.maintenance.deleteAuditEntriesBefore(auditCutoff, batchSize),
        batchSize,
      );
      const now = deps.clock.now();
      const registrations = await deleteInBatches(
        () =>
          deps.maintenance.deleteExpiredRegistrations(
            new Date(now.getTime() - deps.policy.verificationTtlHours * HOUR_MS),
            now,
            batchSize,
          ),
        batchSize,
      );
      const codes = await deleteInBatches(
        () => deps.maintenance.deleteOneTimeCodesEndedBefore(now, batchSize),
        batchSize,
      );
      // Throttle records matter for a day (the per-address daily cap); keep two to be safe.
      const throttle = await deleteInBatches(
        () => deps.maintenance.deleteThrottleRecordsBefore(new Date(now.getTime() - 2 * DAY_MS), batchSize),
        batchSize,
      );
      let counts: Record<string, number> = {};
      for (const task of deps.tasks ?? []) counts = { ...counts, ...(await task.run(started)) };
      return { tokens, audit, registrations, codes, throttle, counts };
    });
    if (!outcome.acquired) return { job: "cleanup", skipped: true, reason: "another run holds the lock" };
    return {
      job: "cleanup",
      skipped: false,
      refresh_tokens_deleted: outcome.result.tokens,
      audit_entries_deleted: outcome.result.audit,
      registrations_expired: outcome.result.registrations,
      one_time_codes_deleted: outcome.result.codes,
      throttle_records_deleted: outcome.result.throttle,
      ...outcome.result.counts,
      duration_ms: deps.clock.now().getTime() - started.getTime(),
    };
  };
}

export type RunCleanup = ReturnType<typeof makeRunCleanup>;
