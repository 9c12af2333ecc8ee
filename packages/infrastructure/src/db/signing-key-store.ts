import { and, asc, eq, lte, sql } from "drizzle-orm";
import type { Database } from "./database.js";
import { signingKeys } from "./schema-sign-in.js";

export type SigningKeyState = "active" | "verifying" | "retired";

/** One row of `signing_keys`, as stored (the private half still sealed). */
export interface StoredSigningKey {
  readonly kid: string;
  readonly algorithm: "EdDSA" | "ES256";
  readonly publicKeyPem: string;
  readonly privateKeyCiphertext: string;
  readonly state: SigningKeyState;
  readonly createdAt: Date;
  readonly activatedAt: Date | null;
  readonly retireAfter: Date | null;
}

/** A key the caller generated and sealed, ready to be stored. */
export type NewSigningKey = Pick<StoredSigningKey, "kid" | "algorithm" | "publicKeyPem" | "privateKeyCiphertext">;

export interface SigningKeyStore {
  /**
   * The active key; when there is none, `generate()`'s key becomes it. Serialised by a
   * transaction-scoped advisory lock (and the one-active unique index), so nodes starting together
   * store one key and all return it.
   */
  ensureActive(generate: () => NewSigningKey, now: Date): Promise<StoredSigningKey>;
  /**
   * Makes `next` the active key and the previous one `verifying` until `retireAfter`, in one
   * transaction under the same lock: a concurrent rotation waits and then rotates again.
   */
  rotate(
    next: NewSigningKey,
    now: Date,
    retireAfter: Date,
  ): Promise<{ active: StoredSigningKey; previous?: StoredSigningKey }>;
  /** Marks `verifying` keys whose `retire_after` has passed as `retired`. */
  retireDue(now: Date): Promise<number>;
  /** The keys that sign or verify at `now` (active first), for the key ring. */
  usable(now: Date): Promise<StoredSigningKey[]>;
  /** Every key, newest first (`gatehouse keys list`). */
  list(): Promise<StoredSigningKey[]>;
}

function fromRow(row: typeof signingKeys.$inferSelect): StoredSigningKey {
  return { ...row, algorithm: row.algorithm as StoredSigningKey["algorithm"], state: row.state as SigningKeyState };
}

const LOCK = sql`SELECT pg_advisory_xact_lock(hashtextextended('gatehouse:signing_keys', 0))`;

async function activeKey(db: Database): Promise<StoredSigningKey | undefined> {
  const [row] = await db.select().from(signingKeys).where(eq(signingKeys.state, "active"));
  return row === undefined ? undefined : fromRow(row);
}

async function insertActive(db: Database, key: NewSigningKey, now: Date): Promise<StoredSigningKey> {
  const [row] = await db
    .insert(signingKeys)
    .values({ ...key, state: "active", createdAt: now, activatedAt: now })
    .returning();
  if (row === undefined) throw new Error("signing key insert returned no row");
  return fromRow(row);
}

/** Drizzle adapter of `signing_keys`. */
export function makeSigningKeyStore(db: Database): SigningKeyStore {
  return {
    ensureActive(generate, now) {
      return db.transaction(async (tx) => {
        await tx.execute(LOCK);
        return (await activeKey(tx)) ?? (await insertActive(tx, generate(), now));
      });
    },

    rotate(next, now, retireAfter) {
      return db.transaction(async (tx) => {
        await tx.execute(LOCK);
        const current = await activeKey(tx);
        let previous: StoredSigningKey | undefined;
        if (current !== undefined) {
          const [row] = await tx
            .update(signingKeys)
            .set({ state: "verifying", retireAfter })
            .where(eq(signingKeys.kid, current.kid))
            .returning();
          previous = row === undefined ? undefined : fromRow(row);
        }
        const active = await insertActive(tx, next, now);
        return previous === undefined ? { active } : { active, previous };
      });
    },

    async retireDue(now) {
      const rows = await db
        .update(signingKeys)
        .set({ state: "retired" })
        .where(and(eq(signingKeys.state, "verifying"), lte(signingKeys.retireAfter, now)))
        .returning({ kid: signingKeys.kid });
      return rows.length;
    },

    async usable(now) {
      const rows = await db
        .select()
        .from(signingKeys)
        .where(
          sql`${signingKeys.state} = 'active' OR (${signingKeys.state} = 'verifying' AND ${signingKeys.retireAfter} > ${now.toISOString()}::timestamptz)`,
        )
        .orderBy(sql`${signingKeys.state} = 'active' DESC`, asc(signingKeys.createdAt));
      return rows.map(fromRow);
    },

    async list() {
      const rows = await db.select().from(signingKeys).orderBy(sql`${signingKeys.createdAt} DESC`);
      return rows.map(fromRow);
    },
  };
}
