import type { JobLock, MaintenanceRepository } from "@gatehouse/domain";
import { sql } from "drizzle-orm";
import { type DatabaseHandle, rowsOf } from "./database.js";
import { auditLogs, refreshTokens } from "./schema.js";

// Raw `sql` templates bypass Drizzle's column mapping, and postgres.js refuses a Date as a
// parameter there: cutoffs travel as ISO strings.
export function makeMaintenanceRepository(handle: DatabaseHandle): MaintenanceRepository {
  const { db } = handle;
  return {
    async deleteRefreshTokensEndedBefore(cutoff, batchSize) {
      // Only tokens of families that are over: a rotated token of a live session must stay, or
      // replaying it would read as an unknown token instead of revoking the session.
      const at = cutoff.toISOString();
      const deleted = await db.execute(sql`
        DELETE FROM ${refreshTokens} WHERE id IN (
          SELECT t.id FROM ${refreshTokens} t
          WHERE (t.expires_at < ${at} OR t.revoked_at < ${at})
            AND NOT EXISTS (
              SELECT 1 FROM ${refreshTokens} live
              WHERE live.family_id = t.family_id AND live.revoked_at IS NULL AND live.expires_at >= ${at}
            )
          LIMIT ${batchSize}
        ) RETURNING id`);
      return rowsOf(deleted).length;
    },
    async deleteAuditEntriesBefore(cutoff, batchSize) {
      const deleted = await db.execute(sql`
        DELETE FROM ${auditLogs} WHERE id IN (
          SELECT id FROM ${auditLogs} WHERE "timestamp" < ${cutoff.toISOString()} LIMIT ${batchSize}
        ) RETURNING id`);
      return rowsOf(deleted).length;
    },
  };
}

/** Session-level `pg_try_advisory_lock` on one dedicated connection, keyed by the job name. */
export function makeJobLock(handle: DatabaseHandle): JobLock {
  return {
    tryRun: (name, work) =>
      handle.withConnection(async (db) => {
        const key = sql`hashtextextended(${name}, 0)`;
        const [row] = rowsOf<{ acquired: boolean }>(
          await db.execute(sql`SELECT pg_try_advisory_lock(${key}) AS acquired`),
        );
        if (row?.acquired !== true) return { acquired: false as const };
        try {
          return { acquired: true as const, result: await work() };
        } finally {
          await db.execute(sql`SELECT pg_advisory_unlock(${key})`);
        }
      }),
  };
}
