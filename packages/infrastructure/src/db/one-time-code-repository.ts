import type { OneTimeCode, OneTimeCodePurpose, OneTimeCodeRepository } from "@gatehouse/domain";
import { and, desc, eq, isNull, lt, sql } from "drizzle-orm";
import type { Database } from "./database.js";
import { oneTimeCodes } from "./schema.js";

type CodeRow = typeof oneTimeCodes.$inferSelect;

function toCode(row: CodeRow): OneTimeCode {
  return { ...row, purpose: row.purpose as OneTimeCodePurpose };
}

const unused = and(isNull(oneTimeCodes.usedAt), isNull(oneTimeCodes.revokedAt));

/** Drizzle adapter; `issue` takes a transaction-scoped advisory lock, so call it in a unit of work. */
export function makeOneTimeCodeRepository(db: Database): OneTimeCodeRepository {
  const revokeAll = async (userId: string, purpose: OneTimeCodePurpose, at: Date) => {
    const revoked = await db
      .update(oneTimeCodes)
      .set({ revokedAt: at })
      .where(and(eq(oneTimeCodes.userId, userId), eq(oneTimeCodes.purpose, purpose), unused))
      .returning({ id: oneTimeCodes.id });
    return revoked.length;
  };
  return {
    async issue(code, at) {
      // Two issues for one user and purpose would both revoke the old code and then collide
      // on the one-live-code index; the lock makes the second wait and revoke the first's code.
      await db.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`otc:${code.userId}:${code.purpose}`}, 0))`);
      await revokeAll(code.userId, code.purpose, at);
      const [row] = await db
        .insert(oneTimeCodes)
        .values({ ...code, createdAt: at })
        .returning();
      return toCode(row as CodeRow);
    },
    async findLatest(userId, purpose) {
      const [row] = await db
        .select()
        .from(oneTimeCodes)
        .where(and(eq(oneTimeCodes.userId, userId), eq(oneTimeCodes.purpose, purpose), unused))
        .orderBy(desc(oneTimeCodes.createdAt))
        .limit(1);
      return row && toCode(row);
    },
    async findByTokenHash(tokenHash) {
      const [row] = await db.select().from(oneTimeCodes).where(eq(oneTimeCodes.tokenHash, tokenHash)).limit(1);
      return row && toCode(row);
    },
    async claimAttempt(id, maxAttempts) {
      // One statement: the row lock makes concurrent claims queue, and each re-checks the
      // counter after the previous one committed, so at most `maxAttempts` ever succeed.
      const claimed = await db
        .update(oneTimeCodes)
        .set({ attempts: sql`${oneTimeCodes.attempts} + 1` })
        .where(and(eq(oneTimeCodes.id, id), unused, lt(oneTimeCodes.attempts, maxAttempts)))
        .returning({ id: oneTimeCodes.id });
      return claimed.length === 1;
    },
    async consume(id, at) {
      const used = await db
        .update(oneTimeCodes)
        .set({ usedAt: at })
        .where(and(eq(oneTimeCodes.id, id), unused))
        .returning({ id: oneTimeCodes.id });
      return used.length === 1;
    },
    revokeAll,
  };
}
