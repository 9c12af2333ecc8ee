import type { RateLimitRefusalLog } from "@gatehouse/domain";
import type { CleanupTask } from "../maintenance/run-cleanup.js";

const DAY_MS = 86_400_000;

/** How long the per-day refusal counts are kept: the dashboard shows 30 days, with room to spare. */
export const RATE_LIMIT_REFUSAL_RETENTION_DAYS = 90;

/** The worker's cleanup step for the refusal counts: days older than the retention go (a few rows a day). */
export function makeRateLimitRefusalCleanupTask(deps: {
  readonly log: Pick<RateLimitRefusalLog, "deleteDaysBefore">;
  readonly retentionDays?: number;
}): CleanupTask {
  return {
    async run(now) {
      const retention = deps.retentionDays ?? RATE_LIMIT_REFUSAL_RETENTION_DAYS;
      const cutoff = new Date(now.getTime() - retention * DAY_MS).toISOString().slice(0, 10);
      return { rate_limit_refusal_rows_deleted: await deps.log.deleteDaysBefore(cutoff) };
    },
  };
}
