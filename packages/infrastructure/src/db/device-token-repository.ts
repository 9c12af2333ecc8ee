import type { DeviceTokenRepository } from "@gatehouse/domain";
import { and, desc, eq, gt, isNull } from "drizzle-orm";
import type { Database } from "./database.js";
import { deviceTokens } from "./schema.js";

/** Drizzle adapter: each method is one statement (a rotation is one transaction of two). */
export function makeDeviceTokenRepository(db: Database): DeviceTokenRepository {
  const live = (now: Date) => and(isNull(deviceTokens.revokedAt), gt(deviceTokens.expiresAt, now));
  return {
    async findLive(tokenHash, now) {
      const [row] = await db
        .select()
        .from(deviceTokens)
        .where(and(eq(deviceTokens.tokenHash, tokenHash), live(now)))
        .limit(1);
      return row;
    },

    async issue(token, now, replacesId) {
      return db.transaction(async (tx) => {
        if (replacesId !== undefined) {
          await tx
            .update(deviceTokens)
            .set({ revokedAt: now })
            .where(
              and(
                eq(deviceTokens.id, replacesId),
                eq(deviceTokens.userId, token.userId),
                isNull(deviceTokens.revokedAt),
              ),
            );
        }
        const [row] = await tx
          .insert(deviceTokens)
          .values({ ...token, createdAt: now })
          .returning();
        if (row === undefined) throw new Error("device token insert returned no row");
        return row;
      });
    },

    async revoke(userId, id, now) {
      const rows = await db
        .update(deviceTokens)
        .set({ revokedAt: now })
        .where(and(eq(deviceTokens.id, id), eq(deviceTokens.userId, userId), live(now)))
        .returning({ id: deviceTokens.id });
      return rows.length > 0;
    },

    async revokeAllForUser(userId, now) {
      const rows = await db
        .update(deviceTokens)
        .set({ revokedAt: now })
        .where(and(eq(deviceTokens.userId, userId), live(now)))
        .returning({ id: deviceTokens.id });
      return rows.length;
    },

    async listLive(userId, now) {
      return db
        .select()
        .from(deviceTokens)
        .where(and(eq(deviceTokens.userId, userId), live(now)))
        .orderBy(desc(deviceTokens.createdAt), desc(deviceTokens.id));
    },
  };
}
