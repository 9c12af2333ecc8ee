import {
  type AuthorizationState,
  DomainError,
  type FederatedIdentityRepository,
  type FederationFlowRepository,
  type FederationUnitOfWork,
} from "@gatehouse/domain";
import { and, asc, eq, lt } from "drizzle-orm";
import type { Database } from "./database.js";
import { federatedIdentities, oauthHandoffCodes, oauthStates } from "./schema-sign-in.js";
import { violatedUniqueConstraint } from "./unique-violation.js";
import { repositoriesOn } from "./unit-of-work.js";

export function makeFederatedIdentityRepository(db: Database): FederatedIdentityRepository {
  return {
    async findBySubject(provider, subject) {
      const [row] = await db
        .select()
        .from(federatedIdentities)
        .where(and(eq(federatedIdentities.provider, provider), eq(federatedIdentities.subject, subject)))
        .limit(1);
      return row;
    },
    listForUser: (userId) =>
      db
        .select()
        .from(federatedIdentities)
        .where(eq(federatedIdentities.userId, userId))
        .orderBy(asc(federatedIdentities.createdAt), asc(federatedIdentities.id)),
    async link({ userId, provider, subject, email, at }) {
      try {
        const [row] = await db
          .insert(federatedIdentities)
          .values({ userId, provider, subject, email, createdAt: at, lastLoginAt: at })
          .returning();
        if (row === undefined) throw new Error("insert returned no row");
        return row;
      } catch (error) {
        if (violatedUniqueConstraint(error) !== undefined) throw new DomainError("IDENTITY_ALREADY_LINKED");
        throw error;
      }
    },
    async touch(id, at) {
      await db.update(federatedIdentities).set({ lastLoginAt: at }).where(eq(federatedIdentities.id, id));
    },
    async unlink(id, userId) {
      const removed = await db
        .delete(federatedIdentities)
        .where(and(eq(federatedIdentities.id, id), eq(federatedIdentities.userId, userId)))
        .returning({ id: federatedIdentities.id });
      return removed.length === 1;
    },
  };
}

/** Expired rows are swept by the next insert of their kind, so abandoned flows do not pile up. */
export function makeFederationFlowRepository(db: Database): FederationFlowRepository {
  return {
    async saveState(stateHash, state, now) {
      await db.delete(oauthStates).where(lt(oauthStates.expiresAt, now));
      await db.insert(oauthStates).values({ stateHash, ...state, createdAt: now });
    },
    async consumeState(stateHash) {
      const [row] = await db.delete(oauthStates).where(eq(oauthStates.stateHash, stateHash)).returning();
      if (row === undefined) return undefined;
      const { stateHash: _hash, createdAt: _created, ...state } = row;
      return state satisfies AuthorizationState;
    },
    async saveHandoff(codeHash, code, now) {
      await db.delete(oauthHandoffCodes).where(lt(oauthHandoffCodes.expiresAt, now));
      await db.insert(oauthHandoffCodes).values({ codeHash, ...code, createdAt: now });
    },
    async consumeHandoff(codeHash) {
      const [row] = await db.delete(oauthHandoffCodes).where(eq(oauthHandoffCodes.codeHash, codeHash)).returning();
      if (row === undefined) return undefined;
      return { userId: row.userId, provider: row.provider, codeChallenge: row.codeChallenge, expiresAt: row.expiresAt };
    },
  };
}

/** One transaction over the usual repositories and the federation tables. */
export function makeFederationUnitOfWork(db: Database): FederationUnitOfWork {
  return {
    run: (work) =>
      db.transaction((tx) => {
        const bound = tx as unknown as Database;
        return work({
          ...repositoriesOn(bound),
          identities: makeFederatedIdentityRepository(bound),
          federationFlows: makeFederationFlowRepository(bound),
        });
      }),
  };
}
