import type {
  ClaimedKeycloakSync,
  KeycloakSessionStore,
  KeycloakSyncOperation,
  KeycloakSyncOutbox,
  KeycloakSyncQueue,
  KeycloakSyncRepositories,
  UnitOfWork,
} from "@gatehouse/domain";
import { and, asc, count, eq, inArray, lte, ne, sql } from "drizzle-orm";
import type { SecretBox } from "../security/secret-box.js";
import type { Database } from "./database.js";
import { users } from "./schema.js";
import { keycloakSessions, keycloakSyncOperations as ops } from "./schema-keycloak.js";
import { repositoriesOn } from "./unit-of-work.js";

/**
 * The two boxes of the Keycloak outbox: `sync` seals what an operation carries (passwords, the
 * refresh token of a queued logout; context: the user id), `sessions` the refresh tokens held
 * for live sessions (its own purpose; context: the session's family id), so neither opens the other's.
 */
export interface KeycloakBoxes {
  readonly sync: SecretBox;
  readonly sessions: SecretBox;
}

/** The outbox's writes in the caller's transaction (see KeycloakSyncOutbox). */
export function makeKeycloakSyncOutbox(db: Database, boxes: KeycloakBoxes): KeycloakSyncOutbox {
  const box = boxes.sync;
  return {
    async holdSession(familyId, userId, tokens) {
      await db.insert(keycloakSessions).values({
        familyId,
        userId,
        refreshTokenCiphertext: boxes.sessions.seal(tokens.refreshToken, familyId),
        accessExpiresAt: tokens.accessExpiresAt,
      });
    },
    async endSessions(familyIds) {
      const held = await db
        .delete(keycloakSessions)
        .where(inArray(keycloakSessions.familyId, [...familyIds]))
        .returning();
      if (held.length === 0) return 0;
      // Re-sealed for the outbox: the operation outlives the session row and names only the user.
      await db.insert(ops).values(
        held.map((row) => ({
          userId: row.userId,
          operation: "logout_session",
          secretCiphertext: box.seal(boxes.sessions.open(row.refreshTokenCiphertext, row.familyId), row.userId),
        })),
      );
      return held.length;
    },
    async push(userId, password) {
      const sealed = password === undefined ? null : box.seal(password, userId);
      await db
        .insert(ops)
        .values({ userId, operation: "push", secretCiphertext: sealed })
        .onConflictDoUpdate({
          target: ops.userId,
          targetWhere: sql`${ops.operation} = 'push'`,
          // A new id retires any claim on the older state; a push without a password keeps
          // the queued one, which still has to reach Keycloak.
          set: {
            id: sql`gen_random_uuid()`,
            attempts: 0,
            nextAttemptAt: sql`now()`,
            lastError: null,
            secretCiphertext: sql`COALESCE(excluded.secret_ciphertext, ${ops.secretCiphertext})`,
          },
        });
    },
    async remove(userId, keycloakId) {
      await db.delete(ops).where(and(eq(ops.userId, userId), ne(ops.operation, "delete")));
      await db.insert(ops).values({ userId, keycloakId, operation: "delete" });
    },
  };
}

/** The unit of work whose transactions also hold the Keycloak sync outbox (IDENTITY_BACKEND=keycloak). */
export function makeKeycloakSyncUnitOfWork(db: Database, boxes: KeycloakBoxes): UnitOfWork<KeycloakSyncRepositories> {
  return {
    run: (work) =>
      db.transaction((tx) => {
        const bound = tx as unknown as Database;
        return work({ ...repositoriesOn(bound), keycloakSync: makeKeycloakSyncOutbox(bound, boxes) });
      }),
  };
}

/** The row as this claim left it: not re-queued (new id) nor claimed again (attempts) since. */
function stillClaimed(claim: ClaimedKeycloakSync) {
  return and(eq(ops.id, claim.id), eq(ops.attempts, claim.attempt));
}

/** The sync's side of the outbox (see KeycloakSyncQueue): leases via `next_attempt_at`. */
export function makeKeycloakSyncQueue(db: Database, box: SecretBox): KeycloakSyncQueue {
  const settle = (claim: ClaimedKeycloakSync, status: "synced" | "failed") =>
    db.transaction(async (tx) => {
      const [gone] = await tx.delete(ops).where(stillClaimed(claim)).returning({ id: ops.id });
      if (gone === undefined || claim.userId === null) return;
      const userId = claim.userId;
      const stillQueued = tx.select({ one: sql`1` }).from(ops).where(eq(ops.userId, userId));
      await tx
        .update(users)
        .set({ keycloakSyncStatus: status })
        .where(status === "failed" ? eq(users.id, userId) : and(eq(users.id, userId), sql`NOT EXISTS ${stillQueued}`));
    });
  return {
    async claimDue(now, limit, leaseUntil) {
      // SKIP LOCKED: a concurrent run passes over the rows this one is taking instead of
      // waiting, and the lease keeps them from being due again once this statement commits.
      const due = db
        .select({ id: ops.id })
        .from(ops)
        .where(lte(ops.nextAttemptAt, now))
        .orderBy(asc(ops.nextAttemptAt), asc(ops.createdAt))
        .limit(limit)
        .for("update", { skipLocked: true });
      const rows = await db
        .update(ops)
        .set({ attempts: sql`${ops.attempts} + 1`, nextAttemptAt: leaseUntil })
        .where(inArray(ops.id, due))
        .returning();
      return rows
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
        .map((row) => ({
          id: row.id,
          operation: row.operation as KeycloakSyncOperation,
          userId: row.userId,
          keycloakId: row.keycloakId,
          attempt: row.attempts,
          password:
            row.secretCiphertext === null || row.userId === null ? null : box.open(row.secretCiphertext, row.userId),
        }));
    },
    complete: (claim) => settle(claim, "synced"),
    giveUp: (claim) => settle(claim, "failed"),
    async scheduleRetry(claim, retryAt, error) {
      await db.update(ops).set({ nextAttemptAt: retryAt, lastError: error }).where(stillClaimed(claim));
    },
    async queued() {
      const [row] = await db.select({ n: count() }).from(ops);
      return row?.n ?? 0;
    },
  };
}

/** The held Keycloak sessions outside any transaction, for the refresh path (see KeycloakSessionStore). */
export function makeKeycloakSessionStore(db: Database, box: SecretBox): KeycloakSessionStore {
  return {
    async find(familyId) {
      const [row] = await db.select().from(keycloakSessions).where(eq(keycloakSessions.familyId, familyId));
      if (row === undefined) return undefined;
      return {
        familyId: row.familyId,
        userId: row.userId,
        refreshToken: box.open(row.refreshTokenCiphertext, row.familyId),
        accessExpiresAt: row.accessExpiresAt,
      };
    },
    async renew(familyId, tokens) {
      await db
        .update(keycloakSessions)
        .set({
          refreshTokenCiphertext: box.seal(tokens.refreshToken, familyId),
          accessExpiresAt: tokens.accessExpiresAt,
          updatedAt: sql`now()`,
        })
        .where(eq(keycloakSessions.familyId, familyId));
    },
    async forget(familyId) {
      await db.delete(keycloakSessions).where(eq(keycloakSessions.familyId, familyId));
    },
  };
}
