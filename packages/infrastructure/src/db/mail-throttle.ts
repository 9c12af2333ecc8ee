import type { MailThrottle } from "@gatehouse/domain";
import { and, count, eq, gt, max, min, sql } from "drizzle-orm";
import type { Database } from "./database.js";
import { mailThrottle } from "./schema.js";

/** Drizzle adapter; the check and the record share a transaction-scoped lock on the key. */
export function makeMailThrottle(db: Database): MailThrottle {
  return {
    async take(key, limits, now) {
      await db.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`throttle:${key}`}, 0))`);
      const windowStart = new Date(now.getTime() - limits.windowSeconds * 1000);
      const [stats] = await db
        .select({ sent: count(), first: min(mailThrottle.sentAt), last: max(mailThrottle.sentAt) })
        .from(mailThrottle)
        .where(and(eq(mailThrottle.key, key), gt(mailThrottle.sentAt, windowStart)));
      const waits: number[] = [];
      if (stats?.last && limits.cooldownSeconds > 0) {
        waits.push(new Date(stats.last).getTime() + limits.cooldownSeconds * 1000 - now.getTime());
      }
      if (stats?.first && stats.sent >= limits.maxPerWindow) {
        waits.push(new Date(stats.first).getTime() + limits.windowSeconds * 1000 - now.getTime());
      }
      const waitMs = Math.max(0, ...waits);
      if (waitMs > 0) return { allowed: false, retryAfterSeconds: Math.ceil(waitMs / 1000) };
      await db.insert(mailThrottle).values({ key, sentAt: now });
      return { allowed: true };
    },
  };
}
