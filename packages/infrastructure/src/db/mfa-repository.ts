import type {
  AssuranceLevel,
  AuthMethod,
  MfaChallenge,
  MfaFactor,
  MfaFactorType,
  MfaRepository,
  TotpFactorRecord,
} from "@gatehouse/domain";
import { and, asc, count, eq, gt, isNotNull, isNull, lt, or, sql } from "drizzle-orm";
import type { Database } from "./database.js";
import { mfaChallenges, mfaFactors, mfaRecoveryCodes, sessionAssurance } from "./schema-mfa.js";

type FactorRow = typeof mfaFactors.$inferSelect;

function factorOf(row: FactorRow): MfaFactor {
  return {
    id: row.id,
    userId: row.userId,
    type: row.type as MfaFactorType,
    confirmedAt: row.confirmedAt,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
  };
}

function challengeOf(row: typeof mfaChallenges.$inferSelect): MfaChallenge {
  return {
    tokenHash: row.tokenHash,
    userId: row.userId,
    purpose: row.purpose === "enrollment" ? "enrollment" : "login",
    clientHash: row.clientHash,
    amr: row.amr as AuthMethod[],
    authTime: row.authTime,
    expiresAt: row.expiresAt,
  };
}

/**
 * Drizzle adapter of the MFA port. The races the port promises one winner for are each one
 * conditional statement: the TOTP step guard an UPDATE whose WHERE compares the stored step,
 * a recovery code an UPDATE on `used_at IS NULL`, a challenge a DELETE … RETURNING.
 */
export function makeMfaRepository(db: Database): MfaRepository {
  return {
    async listFactors(userId) {
      const rows = await db
        .select()
        .from(mfaFactors)
        .where(eq(mfaFactors.userId, userId))
        .orderBy(asc(mfaFactors.createdAt), asc(mfaFactors.id));
      return rows.map(factorOf);
    },

    async startTotp({ userId, secretCiphertext, now }) {
      // The pending row is replaced in place; a confirmed one makes the upsert match nothing.
      const [row] = await db
        .insert(mfaFactors)
        .values({ userId, type: "totp", secretCiphertext, createdAt: now })
        .onConflictDoUpdate({
          target: mfaFactors.userId,
          targetWhere: sql`${mfaFactors.type} = 'totp'`,
          set: { secretCiphertext, createdAt: now, lastTimeStep: null, lastUsedAt: null },
          setWhere: isNull(mfaFactors.confirmedAt),
        })
        .returning();
      return row === undefined ? undefined : factorOf(row);
    },

    async findTotp(userId) {
      const [row] = await db
        .select()
        .from(mfaFactors)
        .where(and(eq(mfaFactors.userId, userId), eq(mfaFactors.type, "totp")))
        .limit(1);
      if (row === undefined || row.secretCiphertext === null) return undefined;
      const record: TotpFactorRecord = {
        ...factorOf(row),
        type: "totp",
        secretCiphertext: row.secretCiphertext,
        lastTimeStep: row.lastTimeStep,
      };
      return record;
    },

    async acceptTotpStep({ factorId, timeStep, now, confirm }) {
      const rows = await db
        .update(mfaFactors)
        .set({
          lastTimeStep: timeStep,
          lastUsedAt: now,
          ...(confirm ? { confirmedAt: now } : {}),
        })
        .where(
          and(
            eq(mfaFactors.id, factorId),
            eq(mfaFactors.type, "totp"),
            confirm ? isNull(mfaFactors.confirmedAt) : isNotNull(mfaFactors.confirmedAt),
            or(isNull(mfaFactors.lastTimeStep), lt(mfaFactors.lastTimeStep, timeStep)),
          ),
        )
        .returning({ id: mfaFactors.id });
      return rows.length > 0;
    },

    async replaceRecoveryCodes({ userId, codeHashes, now }) {
      return db.transaction(async (tx) => {
        // Upsert locks the user's one recovery-set row, so concurrent regenerations serialize.
        const [factor] = await tx
          .insert(mfaFactors)
          .values({ userId, type: "recovery_codes", confirmedAt: now, createdAt: now })
          .onConflictDoUpdate({
            target: mfaFactors.userId,
            targetWhere: sql`${mfaFactors.type} = 'recovery_codes'`,
            set: { createdAt: now, lastUsedAt: null },
          })
          .returning();
        if (factor === undefined) throw new Error("recovery-code factor upsert returned no row");
        await tx.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.factorId, factor.id));
        if (codeHashes.length > 0) {
          await tx
            .insert(mfaRecoveryCodes)
            .values(codeHashes.map((codeHash) => ({ factorId: factor.id, userId, codeHash })));
        }
        return factorOf(factor);
      });
    },

    async useRecoveryCode({ userId, codeHash, now }) {
      const rows = await db
        .update(mfaRecoveryCodes)
        .set({ usedAt: now })
        .where(
          and(
            eq(mfaRecoveryCodes.userId, userId),
            eq(mfaRecoveryCodes.codeHash, codeHash),
            isNull(mfaRecoveryCodes.usedAt),
          ),
        )
        .returning({ factorId: mfaRecoveryCodes.factorId });
      const used = rows[0];
      if (used === undefined) return false;
      await db.update(mfaFactors).set({ lastUsedAt: now }).where(eq(mfaFactors.id, used.factorId));
      return true;
    },

    async countUnusedRecoveryCodes(userId) {
      const [row] = await db
        .select({ n: count() })
        .from(mfaRecoveryCodes)
        .where(and(eq(mfaRecoveryCodes.userId, userId), isNull(mfaRecoveryCodes.usedAt)));
      return row?.n ?? 0;
    },

    async removeFactor(userId, factorId) {
      const [row] = await db
        .delete(mfaFactors)
        .where(and(eq(mfaFactors.id, factorId), eq(mfaFactors.userId, userId)))
        .returning();
      return row === undefined ? undefined : factorOf(row);
    },

    async removeAllFactors(userId) {
      // One DELETE: the recovery codes and passkey credentials go with their factors (ON DELETE CASCADE).
      const rows = await db.delete(mfaFactors).where(eq(mfaFactors.userId, userId)).returning();
      return rows.map(factorOf);
    },

    async createChallenge(challenge) {
      await db.insert(mfaChallenges).values({ ...challenge, amr: [...challenge.amr] });
    },

    async findChallenge(tokenHash, now) {
      const [row] = await db
        .select()
        .from(mfaChallenges)
        .where(and(eq(mfaChallenges.tokenHash, tokenHash), gt(mfaChallenges.expiresAt, now)))
        .limit(1);
      return row === undefined ? undefined : challengeOf(row);
    },

    async consumeChallenge(tokenHash, now, purpose) {
      const [row] = await db
        .delete(mfaChallenges)
        .where(
          and(
            eq(mfaChallenges.tokenHash, tokenHash),
            eq(mfaChallenges.purpose, purpose),
            gt(mfaChallenges.expiresAt, now),
          ),
        )
        .returning();
      return row === undefined ? undefined : challengeOf(row);
    },

    async recordSessionAssurance({ sessionId, userId, assurance }) {
      const values = { amr: [...assurance.amr], acr: assurance.acr, authTime: assurance.authTime };
      await db
        .insert(sessionAssurance)
        .values({ sessionId, userId, ...values })
        .onConflictDoUpdate({ target: sessionAssurance.sessionId, set: values });
    },

    async findSessionAssurance(sessionId) {
      const [row] = await db.select().from(sessionAssurance).where(eq(sessionAssurance.sessionId, sessionId)).limit(1);
      if (row === undefined) return undefined;
      return { amr: row.amr as AuthMethod[], acr: row.acr as AssuranceLevel, authTime: row.authTime };
    },
  };
}
