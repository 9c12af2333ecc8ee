import type {
  WebAuthnCeremony,
  WebAuthnChallengeStore,
  WebAuthnCredential,
  WebAuthnCredentialRepository,
} from "@gatehouse/domain";
import { and, asc, eq, gt, lt } from "drizzle-orm";
import type { Database } from "./database.js";
import { mfaFactors } from "./schema-mfa.js";
import { webauthnChallenges, webauthnCredentials } from "./schema-webauthn.js";
import { violatedUniqueConstraint } from "./unique-violation.js";

const columns = {
  factorId: webauthnCredentials.factorId,
  userId: webauthnCredentials.userId,
  credentialId: webauthnCredentials.credentialId,
  publicKey: webauthnCredentials.publicKey,
  counter: webauthnCredentials.counter,
  transports: webauthnCredentials.transports,
  backupEligible: webauthnCredentials.backupEligible,
  backupState: webauthnCredentials.backupState,
  aaguid: webauthnCredentials.aaguid,
  name: webauthnCredentials.name,
  createdAt: mfaFactors.createdAt,
  lastUsedAt: mfaFactors.lastUsedAt,
};

/**
 * Drizzle adapter of the credential port. A credential is stored with its confirmed `webauthn`
 * factor in one transaction; the counter guard is an UPDATE whose WHERE compares the stored
 * counter, so a regressed or replayed counter writes nothing.
 */
export function makeWebAuthnCredentialRepository(db: Database): WebAuthnCredentialRepository {
  const select = () =>
    db.select(columns).from(webauthnCredentials).innerJoin(mfaFactors, eq(mfaFactors.id, webauthnCredentials.factorId));
  return {
    async add(input) {
      try {
        return await db.transaction(async (tx) => {
          const [factor] = await tx
            .insert(mfaFactors)
            .values({ userId: input.userId, type: "webauthn", confirmedAt: input.now, createdAt: input.now })
            .returning();
          if (factor === undefined) throw new Error("webauthn factor insert returned no row");
          const { now: _now, ...fields } = input;
          const row = { ...fields, factorId: factor.id, transports: [...input.transports] };
          await tx.insert(webauthnCredentials).values(row);
          const stored: WebAuthnCredential = { ...row, createdAt: factor.createdAt, lastUsedAt: null };
          return stored;
        });
      } catch (error) {
        // The only unique key the two inserts can hit is the credential id.
        if (violatedUniqueConstraint(error) !== undefined) return undefined;
        throw error;
      }
    },

    async listForUser(userId) {
      return select()
        .where(eq(webauthnCredentials.userId, userId))
        .orderBy(asc(mfaFactors.createdAt), asc(mfaFactors.id));
    },

    async findByCredentialId(credentialId) {
      const [row] = await select().where(eq(webauthnCredentials.credentialId, credentialId)).limit(1);
      return row;
    },

    async recordAssertion({ credentialId, counter, backupState, now }) {
      // The domain's counterAdvances as SQL: the stored counter below the new one, or both 0.
      const advances = counter === 0 ? eq(webauthnCredentials.counter, 0) : lt(webauthnCredentials.counter, counter);
      const [row] = await db
        .update(webauthnCredentials)
        .set({ counter, backupState })
        .where(and(eq(webauthnCredentials.credentialId, credentialId), advances))
        .returning({ factorId: webauthnCredentials.factorId });
      if (row === undefined) return false;
      await db.update(mfaFactors).set({ lastUsedAt: now }).where(eq(mfaFactors.id, row.factorId));
      return true;
    },
  };
}

/** The database challenge store (no Redis configured): a DELETE … RETURNING takes a challenge once. */
export function makeDatabaseWebAuthnChallenges(db: Database): WebAuthnChallengeStore {
  return {
    async save(challenge) {
      await db.insert(webauthnChallenges).values({ ...challenge });
    },
    async consume(challengeHash, now) {
      const [row] = await db
        .delete(webauthnChallenges)
        .where(and(eq(webauthnChallenges.challengeHash, challengeHash), gt(webauthnChallenges.expiresAt, now)))
        .returning();
      if (row === undefined) return undefined;
      return {
        challengeHash: row.challengeHash,
        ceremony: row.ceremony as WebAuthnCeremony,
        userId: row.userId,
        mfaTokenHash: row.mfaTokenHash,
        expiresAt: row.expiresAt,
      };
    },
  };
}
