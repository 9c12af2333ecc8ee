import { randomUUID } from "node:crypto";
import {
  type AccountStatus,
  AccountStatuses,
  type RefreshToken,
  type RefreshTokenPresentationResult,
  type RefreshTokenRepository,
  type RevocationReason,
} from "@gatehouse/domain";
import { and, desc, eq, gt, gte, isNull, min, ne, type SQL, sql } from "drizzle-orm";
import { type Database, rowsOf } from "./database.js";
import { refreshTokens } from "./schema.js";

type TokenRow = typeof refreshTokens.$inferSelect;

function toToken(row: TokenRow): RefreshToken {
  return { ...row, revokedReason: row.revokedReason as RevocationReason | null };
}

// Namespace for per-family transaction locks in PostgreSQL's advisory-lock space.
const FAMILY_LOCK_SEED = 7_401;

/** The transaction-scoped advisory lock that serializes every change to one family. */
function familyLock(familyId: SQL): SQL {
  return sql`pg_advisory_xact_lock(hashtextextended(${familyId}::text, ${FAMILY_LOCK_SEED}))`;
}

/** A row of `gatehouse_present_refresh_token` (migration 0012_faults_refresh_retry; first in 0010). */
interface PresentationRow {
  verdict: RefreshTokenPresentationResult["verdict"];
  family_id: string | null;
  user_id: string | null;
  user_status: string | null;
  expires_at: Date | string | null;
}

const accountStatusOf = (status: string | null): AccountStatus | null =>
  AccountStatuses.find((known) => known === status) ?? null;

function toPresentationResult(row: PresentationRow | undefined): RefreshTokenPresentationResult {
  if (row === undefined || row.verdict === "invalid" || row.family_id === null || row.user_id === null) {
    return { verdict: "invalid" };
  }
  const ids = { familyId: row.family_id, userId: row.user_id };
  switch (row.verdict) {
    case "rotate":
    case "grace":
    case "retry":
      return { verdict: row.verdict, ...ids, expiresAt: new Date(row.expires_at ?? Number.NaN) };
    case "inactive":
      return { verdict: "inactive", ...ids, userStatus: accountStatusOf(row.user_status) };
    default:
      return { verdict: row.verdict, ...ids };
  }
}

export function makeRefreshTokenRepository(db: Database): RefreshTokenRepository {
  return {
    async present({ tokenHash, next, now, graceSeconds, origin }) {
      // One statement: the function locks the family and decides (see its migration). The
      // text never changes, so the driver prepares it once per connection.
      const result = await db.execute(sql`SELECT * FROM gatehouse_present_refresh_token(
        ${tokenHash}, ${next.id}::uuid, ${next.tokenHash}, ${next.expiresAt.toISOString()}::timestamptz,
        ${next.userAgent}, ${next.ipAddress}::inet, ${now.toISOString()}::timestamptz, ${graceSeconds}::int,
        ${origin.requestId?.slice(0, 128) ?? null}, ${origin.durationMs}::int,
        ${origin.timestamp.toISOString()}::timestamptz)`);
      return toPresentationResult(rowsOf<PresentationRow>(result)[0]);
    },

    async lockFamilyOf(tokenHash) {
      // Lock first, then read: the read is a later statement, so (READ COMMITTED) it sees every
      // change committed by whoever held the lock. Both go out together: one connection runs
      // them in order, and the pipeline saves a round trip.
      const [, rows] = await Promise.all([
        db.execute(sql`SELECT ${familyLock(sql`family_id`)} FROM ${refreshTokens} WHERE token_hash = ${tokenHash}`),
        db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash)).limit(1),
      ]);
      const [row] = rows;
      return row && toToken(row);
    },

    async findActiveInFamily(familyId) {
      const [row] = await db
        .select()
        .from(refreshTokens)
        .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)))
        .limit(1);
      return row && toToken(row);
    },

    async insert(token) {
      const id = randomUUID();
      const [row] = await db
        .insert(refreshTokens)
        .values({ id, ...token, familyId: token.familyId ?? id })
        .returning();
      return toToken(row as TokenRow);
    },

    async rotate(current, next, at) {
      const id = randomUUID();
      // Pipelined, in order: the retirement runs first, so the successor never meets the
      // one-active-token index while its parent is still active.
      const [retired, [row]] = await Promise.all([
        db
          .update(refreshTokens)
          .set({ revokedAt: at, revokedReason: "rotated", replacedBy: id, lastUsedAt: at })
          .where(and(eq(refreshTokens.id, current.id), isNull(refreshTokens.revokedAt)))
          .returning({ id: refreshTokens.id }),
        db
          .insert(refreshTokens)
          .values({
            id,
            userId: current.userId,
            familyId: current.familyId,
            parentId: current.id,
            sessionExpiresAt: current.sessionExpiresAt,
            ...next,
          })
          .returning(),
      ]);
      if (retired.length !== 1) throw new Error("refresh token rotated without holding its family lock");
      return toToken(row as TokenRow);
    },

    async revokeFamily(familyId, reason, at) {
      // Without the family lock, a rotation committing meanwhile would leave its new token
      // outside this statement's snapshot: the session would survive its own logout.
      await db.execute(sql`SELECT ${familyLock(sql`${familyId}::uuid`)}`);
      const revoked = await db
        .update(refreshTokens)
        .set({ revokedAt: at, revokedReason: reason })
        .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)))
        .returning({ id: refreshTokens.id });
      return revoked.length;
    },

    async revokeAllForUser(userId, reason, at, keepFamilyId) {
      const kept = keepFamilyId === undefined ? sql`` : sql`AND family_id <> ${keepFamilyId}::uuid`;
      // Same reason as revokeFamily; families are locked in id order so two callers never deadlock.
      await db.execute(sql`
        SELECT ${familyLock(sql`family_id`)} FROM (
          SELECT DISTINCT family_id FROM ${refreshTokens}
          WHERE user_id = ${userId} AND revoked_at IS NULL ${kept} ORDER BY family_id
        ) AS families`);
      const revoked = await db
        .update(refreshTokens)
        .set({ revokedAt: at, revokedReason: reason })
        .where(
          and(
            eq(refreshTokens.userId, userId),
            isNull(refreshTokens.revokedAt),
            keepFamilyId === undefined ? undefined : ne(refreshTokens.familyId, keepFamilyId),
          ),
        )
        .returning({ familyId: refreshTokens.familyId });
      return [...new Set(revoked.map((row) => row.familyId))];
    },

    async listActiveSessions(userId, now) {
      // The active token carries the latest refresh (its creation) and client; the family's
      // first token, when the session started.
      const started = db
        .select({ familyId: refreshTokens.familyId, startedAt: min(refreshTokens.createdAt).as("started_at") })
        .from(refreshTokens)
        .where(eq(refreshTokens.userId, userId))
        .groupBy(refreshTokens.familyId)
        .as("started");
      const rows = await db
        .select({
          id: refreshTokens.familyId,
          createdAt: started.startedAt,
          lastUsedAt: refreshTokens.createdAt,
          userAgent: refreshTokens.userAgent,
          ipAddress: refreshTokens.ipAddress,
        })
        .from(refreshTokens)
        .innerJoin(started, eq(started.familyId, refreshTokens.familyId))
        .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt), gt(refreshTokens.expiresAt, now)))
        .orderBy(desc(refreshTokens.createdAt));
      return rows.map((row) => ({ ...row, createdAt: new Date(row.createdAt ?? row.lastUsedAt) }));
    },

    async familiesRevokedSince(since) {
      const rows = await db
        .selectDistinct({ familyId: refreshTokens.familyId })
        .from(refreshTokens)
        .where(and(gte(refreshTokens.revokedAt, since), ne(refreshTokens.revokedReason, "rotated")));
      return rows.map((row) => row.familyId);
    },
  };
}
