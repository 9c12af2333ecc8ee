import { makeRunCleanup } from "@gatehouse/application";
import type { Clock } from "@gatehouse/domain";
import { type Config, type DatabaseHandle, makeJobLock, makeMaintenanceRepository } from "@gatehouse/infrastructure";

/** What every job receives: validated configuration, an open (migrated) database and a clock. */
export interface JobContext {
  readonly config: Config;
  readonly database: DatabaseHandle;
  readonly clock: Clock;
}

/** The one-line JSON summary a job prints; `skipped` says another run held the job's lock. */
export interface JobSummary {
  readonly job: string;
  readonly skipped: boolean;
}

export type Job = (context: JobContext) => Promise<JobSummary>;

/**
 * Deletes refresh tokens and audit entries past their retention (PRD §7.2 retention settings),
 * expired never-verified registrations, ended one-time codes and old throttle records.
 */
export const cleanupJob: Job = ({ config, database, clock }) =>
  makeRunCleanup({
    maintenance: makeMaintenanceRepository(database),
    jobLock: makeJobLock(database),
    clock,
    policy: {
      refreshTokenRetentionDays: config.refreshTokenRetentionDays,
      auditLogRetentionDays: config.auditLogRetentionDays,
      batchSize: config.cleanupBatchSize,
      verificationTtlHours: config.lifecycle.verificationTtlHours,
    },
  })();

/** Job name → job. A new job is one entry here. */
export const JOBS: Readonly<Record<string, Job>> = {
  cleanup: cleanupJob,
};
