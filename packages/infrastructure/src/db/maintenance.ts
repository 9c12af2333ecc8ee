import type { JobLock, MaintenanceRepository } from "@gatehouse/domain";
import { type SQL, sql } from "drizzle-orm";
import { type DatabaseHandle, rowsOf } from "./database.js";
import { auditLogs, mailThrottle, oneTimeCodes, refreshTokens, userRoles, users } from "./schema.js";
import { keycloakSyncOperations } from "./schema-keycloak.js";
import { mfaChallenges, sessionAssurance } from "./schema-mfa.js";
import { webauthnChallenges } from "./schema-webauthn.js";
import { expiredRegistration } from "./user-repository.js";

/**
 * CTEs (to follow others in one statement, so a crash cannot delete without queueing) that queue
 * the removal of the Keycloak accounts of the users in `removed` (rows with `keycloak_id` and
 * `keycloak_sync_status`) and drop their other queued operations. Rows Keycloak never managed
 * (status null: IDENTITY_BACKEND=local) queue nothing.
 */
function keycloakRemovals(removed: SQL) {
  return sql`kc_dropped AS (
          DELETE FROM ${keycloakSyncOperations}
          WHERE user_id IN (SELECT id FROM ${removed}) AND operation <> 'delete'
        ),
        kc_queued AS (
          INSERT INTO ${keycloakSyncOperations} (user_id, keycloak_id, operation)
          SELECT id, keycloak_id, 'delete' FROM ${removed} WHERE keycloak_sync_status IS NOT NULL
        )`;
}

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
    async purgeUsersDeletedBefore(cutoff, batchSize) {
      // One statement, so a batch is purged whole or not at all. SKIP LOCKED: a concurrent run
      // (or an administrator restoring the user right now) is passed over, not waited for.
      // The placeholders keep the row valid (NOT NULL, unique among purged rows) but say
      // nothing about the person; the deleted row no longer blocks its email or username.
      const purged = await db.execute(sql`
        WITH purged AS (
          UPDATE ${users} SET
            email = 'purged+' || id || '@invalid', username = 'purged-' || id,
            password_hash = '!purged', full_name = NULL, phone_number = NULL, status_reason = NULL,
            email_verified_at = NULL, purged_at = now(), updated_at = now()
          WHERE id IN (
            SELECT id FROM ${users}
            WHERE deleted_at < ${cutoff.toISOString()} AND purged_at IS NULL
            ORDER BY deleted_at LIMIT ${batchSize} FOR UPDATE SKIP LOCKED
          ) RETURNING id, keycloak_id, keycloak_sync_status
        ),
        sessions AS (DELETE FROM ${refreshTokens} WHERE user_id IN (SELECT id FROM purged)),
        grants AS (DELETE FROM ${userRoles} WHERE user_id IN (SELECT id FROM purged)),
        audit AS (
          INSERT INTO ${auditLogs} (action, resource_type, resource_id, status, details)
          SELECT 'user.purged', 'user', id, 'success', '{"by":"worker"}'::jsonb FROM purged
        ),
        ${keycloakRemovals(sql.raw("purged"))}
        SELECT id FROM purged`);
      return rowsOf(purged).length;
    },

    async deleteExpiredRegistrations(createdBefore, now, batchSize) {
      // The audit rows are written by the same statement, so a crash cannot delete unrecorded.
      const expired = db
        .select({ id: users.id })
        .from(users)
        .where(expiredRegistration(createdBefore, now))
        .limit(batchSize)
        .for("update", { skipLocked: true });
      const deleted = await db.execute(sql`
        WITH gone AS (DELETE FROM ${users} WHERE id IN (${expired}) RETURNING id, created_at, keycloak_id, keycloak_sync_status),
        ${keycloakRemovals(sql.raw("gone"))}
        INSERT INTO ${auditLogs} (action, resource_type, resource_id, status, details)
        SELECT 'user.registration_expired', 'user', id, 'success',
               jsonb_build_object('registered_at', created_at, 'reason', 'never verified')
        FROM gone RETURNING id`);
      return rowsOf(deleted).length;
    },
    async deleteOneTimeCodesEndedBefore(cutoff, batchSize) {
      const at = cutoff.toISOString();
      const deleted = await db.execute(sql`
        DELETE FROM ${oneTimeCodes} WHERE id IN (
          SELECT id FROM ${oneTimeCodes}
          WHERE used_at < ${at} OR revoked_at < ${at} OR expires_at < ${at}
          LIMIT ${batchSize}
        ) RETURNING id`);
      return rowsOf(deleted).length;
    },
    async deleteThrottleRecordsBefore(cutoff, batchSize) {
      const deleted = await db.execute(sql`
        DELETE FROM ${mailThrottle} WHERE id IN (
          SELECT id FROM ${mailThrottle} WHERE sent_at < ${cutoff.toISOString()} LIMIT ${batchSize}
        ) RETURNING id`);
      return rowsOf(deleted).length;
    },
    async deleteSecondFactorChallengesExpiredBefore(cutoff, batchSize) {
      const at = cutoff.toISOString();
      // One statement for both tables: the batch is shared, the first table first.
      const deleted = await db.execute(sql`
        WITH mfa AS (
          DELETE FROM ${mfaChallenges} WHERE token_hash IN (
            SELECT token_hash FROM ${mfaChallenges} WHERE expires_at < ${at} LIMIT ${batchSize}
          ) RETURNING 1
        ), passkey AS (
          DELETE FROM ${webauthnChallenges} WHERE challenge_hash IN (
            SELECT challenge_hash FROM ${webauthnChallenges} WHERE expires_at < ${at} LIMIT ${batchSize}
          ) RETURNING 1
        )
        SELECT (SELECT count(*) FROM mfa) + (SELECT count(*) FROM passkey) AS n`);
      return Number((rowsOf(deleted)[0] as { n: number | string } | undefined)?.n ?? 0);
    },
    async deleteOrphanedSessionAssurance(batchSize) {
      const deleted = await db.execute(sql`
        DELETE FROM ${sessionAssurance} WHERE session_id IN (
          SELECT sa.session_id FROM ${sessionAssurance} sa
          WHERE NOT EXISTS (SELECT 1 FROM ${refreshTokens} rt WHERE rt.family_id = sa.session_id)
          LIMIT ${batchSize}
        ) RETURNING session_id`);
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
