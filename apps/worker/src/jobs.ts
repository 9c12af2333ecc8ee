import {
  type CleanupTask,
  makeChatRetentionTask,
  makeDeliverDueMail,
  makeKeycloakSyncTask,
  makeMailOutboxTask,
  makePurgeDeletedUsersTask,
  makeRateLimitRefusalCleanupTask,
  makeRunCleanup,
  makeSecondFactorCleanupTask,
} from "@gatehouse/application";
import type { Clock } from "@gatehouse/domain";
import {
  type Config,
  type DatabaseHandle,
  loadMailTemplateOverrides,
  makeChatRepository,
  makeJobLock,
  makeKeycloakAdapters,
  makeMailQueue,
  makeMaintenanceRepository,
  makeRateLimitRefusalLog,
  makeSmtpMailer,
  type SmtpMailer,
} from "@gatehouse/infrastructure";
import { keycloakSyncFor } from "@gatehouse/server/keycloak-sync";
import { mailDeliveryPolicy } from "@gatehouse/server/mail-delivery";

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

/** Delivery rounds the worker runs at most per cleanup (× MAIL_BATCH_SIZE mails). */
const MAX_MAIL_ROUNDS = 50;

/**
 * What `cleanup` does after the retention deletes, in order: one entry per task, each
 * batched, repeatable, and run under the cleanup lock. A new task is one entry here.
 */
function cleanupTasks({ config, database, clock }: JobContext, smtp: SmtpMailer | undefined): CleanupTask[] {
  const maintenance = makeMaintenanceRepository(database);
  const queue = makeMailQueue(database.db);
  const deliver = smtp && makeDeliverDueMail({ queue, mailer: smtp, clock, policy: mailDeliveryPolicy(config) });
  return [
    makeMailOutboxTask({
      queue,
      deliver,
      giveUpAfterHours: config.mail.giveUpAfterHours,
      batchSize: config.mail.batchSize,
      maxRounds: MAX_MAIL_ROUNDS,
    }),
    makePurgeDeletedUsersTask({
      maintenance,
      purgeAfterDays: config.userPurgeAfterDays,
      batchSize: config.cleanupBatchSize,
    }),
    makeChatRetentionTask({
      chat: makeChatRepository(database.db),
      retentionDays: config.chat.retentionDays,
      batchSize: config.cleanupBatchSize,
    }),
    makeSecondFactorCleanupTask({ maintenance, batchSize: config.cleanupBatchSize }),
    makeRateLimitRefusalCleanupTask({ log: makeRateLimitRefusalLog(database.db) }),
    ...keycloakSyncTasks(config, database, clock),
  ];
}

/**
 * IDENTITY_BACKEND=keycloak: one run of the Keycloak sync, after the deletions above queued the
 * removal of expired registrations and purged users, so Keycloak follows without a server.
 */
function keycloakSyncTasks(config: Config, database: DatabaseHandle, clock: Clock): CleanupTask[] {
  const keycloak = config.identity.keycloak;
  if (config.identity.backend !== "keycloak" || keycloak === undefined) return [];
  const sync = keycloakSyncFor(config, database, clock, makeKeycloakAdapters(keycloak));
  return sync === undefined ? [] : [makeKeycloakSyncTask({ sync })];
}

/**
 * Deletes refresh tokens and audit entries past their retention (README, "Worker"), then runs the
 * cleanup tasks: stale outbox mail (give up, or retry when SMTP_URL is set) and purging users
 * deleted longer than USER_PURGE_AFTER_DAYS ago. One advisory lock covers the whole run.
 */
export const cleanupJob: Job = async (context) => {
  const { config, database, clock } = context;
  const smtp =
    config.mail.smtpUrl === undefined
      ? undefined
      : makeSmtpMailer({
          url: config.mail.smtpUrl,
          from: config.mail.from,
          product: config.appName,
          templates: loadMailTemplateOverrides(config.mail.templatesDir),
        });
  try {
    return await makeRunCleanup({
      maintenance: makeMaintenanceRepository(database),
      jobLock: makeJobLock(database),
      clock,
      policy: {
        refreshTokenRetentionDays: config.refreshTokenRetentionDays,
        auditLogRetentionDays: config.auditLogRetentionDays,
        batchSize: config.cleanupBatchSize,
        verificationTtlHours: config.lifecycle.verificationTtlHours,
      },
      tasks: cleanupTasks(context, smtp),
    })();
  } finally {
    smtp?.close();
  }
};

/** Job name → job. A new job is one entry here. */
export const JOBS: Readonly<Record<string, Job>> = {
  cleanup: cleanupJob,
};
