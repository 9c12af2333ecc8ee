import type { AuditAction, AuditLog, Clock, RateLimitRefusalLog } from "@gatehouse/domain";

const DAY_MS = 86_400_000;

/** The dashboard's series and the audit actions each one counts. */
const SERIES = {
  registrations: ["auth.register"],
  // A sign-in is a session opened: by password alone, by a provider, or by the second step.
  signIns: ["auth.login", "auth.oauth_login", "mfa.verify"],
  failedSignIns: ["auth.login_failed"],
} as const satisfies Record<string, readonly AuditAction[]>;

/** The audit series, and `rateLimited`: requests refused by any rate limit (the refusal log). */
export type DailySeriesName = keyof typeof SERIES | "rateLimited";

/** Counts per UTC day, oldest first, one entry per day of the window (zero when nothing happened). */
export interface DailyActivity {
  readonly days: readonly string[];
  readonly series: Readonly<Record<DailySeriesName, readonly number[]>>;
}

export interface GetDailyActivityDeps {
  readonly auditLog: Pick<AuditLog, "dailyCounts">;
  readonly refusals: Pick<RateLimitRefusalLog, "dailyCounts">;
  readonly clock: Clock;
}

/**
 * Registrations, sign-ins and failed sign-ins per day over the last `days` days (today
 * included), read from the audit trail in one grouped query, and the requests a rate limit
 * refused per day (every category together), read from the refusal log: the admin dashboard's
 * charts. Older days than AUDIT_LOG_RETENTION_DAYS show zero once the worker has removed their
 * entries. Refusals show up once an instance has flushed them (every
 * RATE_LIMIT_REFUSALS_FLUSH_SECONDS).
 */
export function makeGetDailyActivity(deps: GetDailyActivityDeps) {
  return async function getDailyActivity(days = 30): Promise<DailyActivity> {
    const today = new Date(Math.floor(deps.clock.now().getTime() / DAY_MS) * DAY_MS);
    const since = new Date(today.getTime() - (days - 1) * DAY_MS);
    const labels = Array.from({ length: days }, (_, i) =>
      new Date(since.getTime() + i * DAY_MS).toISOString().slice(0, 10),
    );
    const actions = Object.values(SERIES).flat();
    const [counts, refused] = await Promise.all([
      deps.auditLog.dailyCounts({ actions, since }),
      deps.refusals.dailyCounts(labels[0] ?? since.toISOString().slice(0, 10)),
    ]);
    const seriesOf = (wanted: readonly AuditAction[]) =>
      labels.map((day) =>
        counts.filter((row) => row.day === day && wanted.includes(row.action)).reduce((sum, row) => sum + row.count, 0),
      );
    return {
      days: labels,
      series: {
        registrations: seriesOf(SERIES.registrations),
        signIns: seriesOf(SERIES.signIns),
        failedSignIns: seriesOf(SERIES.failedSignIns),
        rateLimited: labels.map((day) =>
          refused.filter((row) => row.day === day).reduce((sum, row) => sum + row.count, 0),
        ),
      },
    };
  };
}

export type GetDailyActivity = ReturnType<typeof makeGetDailyActivity>;
