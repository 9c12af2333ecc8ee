import type { MailQueue, MaintenanceRepository } from "@gatehouse/domain";
import type { DeliverDueMail } from "../mail/deliver-due-mail.js";
import { type CleanupTask, deleteInBatches } from "./run-cleanup.js";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * Anonymises users soft-deleted more than `purgeAfterDays` ago (0 = never):
 * personal data goes, the row and its audit trail stay, and the account can no longer be
 * restored. Batched; a purged user is never picked again.
 */
export function makePurgeDeletedUsersTask(deps: {
  readonly maintenance: Pick<MaintenanceRepository, "purgeUsersDeletedBefore">;
  readonly purgeAfterDays: number;
  readonly batchSize: number;
}): CleanupTask {
  return {
    async run(now) {
      if (deps.purgeAfterDays === 0) return { users_purged: 0 };
      const cutoff = new Date(now.getTime() - deps.purgeAfterDays * DAY_MS);
      const purged = await deleteInBatches(
        () => deps.maintenance.purgeUsersDeletedBefore(cutoff, deps.batchSize),
        deps.batchSize,
      );
      return { users_purged: purged };
    },
  };
}

/**
 * Gives up on mail still queued after `giveUpAfterHours` (its codes have expired),
 * then, when the worker has a mail server, delivers what is due (retries included) for up to
 * `maxRounds` rounds: mail left by a server that is not running still goes out.
 */
export function makeMailOutboxTask(deps: {
  readonly queue: Pick<MailQueue, "giveUpQueuedBefore">;
  /** Undefined without SMTP_URL: the worker has no mailbox of its own, so it only gives up. */
  readonly deliver: DeliverDueMail | undefined;
  readonly giveUpAfterHours: number;
  readonly batchSize: number;
  readonly maxRounds: number;
}): CleanupTask {
  return {
    async run(now) {
      const cutoff = new Date(now.getTime() - deps.giveUpAfterHours * HOUR_MS);
      const givenUp = await deleteInBatches(
        () => deps.queue.giveUpQueuedBefore(cutoff, deps.batchSize),
        deps.batchSize,
      );
      const counts = { mail_given_up: givenUp, mail_sent: 0, mail_retried: 0, mail_failed: 0 };
      for (let round = 0; deps.deliver !== undefined && round < deps.maxRounds; round += 1) {
        const summary = await deps.deliver();
        counts.mail_sent += summary.sent;
        counts.mail_retried += summary.retried;
        counts.mail_failed += summary.failed;
        if (summary.claimed < deps.batchSize) break;
      }
      return counts;
    },
  };
}

/**
 * Second-factor leftovers: challenges (`mfa_token`s, passkey ceremonies) past their 5 minutes,
 * which no reader accepts anyway, and the assurance records of sessions whose refresh tokens
 * the retention delete removed (it runs first, in the same cleanup).
 */
export function makeSecondFactorCleanupTask(deps: {
  readonly maintenance: Pick<
    MaintenanceRepository,
    "deleteSecondFactorChallengesExpiredBefore" | "deleteOrphanedSessionAssurance"
  >;
  readonly batchSize: number;
}): CleanupTask {
  return {
    async run(now) {
      const challenges = await deleteInBatches(
        () => deps.maintenance.deleteSecondFactorChallengesExpiredBefore(now, deps.batchSize),
        deps.batchSize,
      );
      const assurance = await deleteInBatches(
        () => deps.maintenance.deleteOrphanedSessionAssurance(deps.batchSize),
        deps.batchSize,
      );
      return { mfa_challenges_deleted: challenges, session_assurance_deleted: assurance };
    },
  };
}
