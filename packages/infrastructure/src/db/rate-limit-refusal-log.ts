import type { RateLimitCategory, RateLimitRefusalLog, RefusalCount } from "@gatehouse/domain";
import { gte, lt, sql } from "drizzle-orm";
import type { Database } from "./database.js";
import { rateLimitRefusals } from "./schema-rate-limit.js";

/** The entries of `counts` with the same (day, category) added together: one row each in the upsert. */
export function mergedRefusalCounts(counts: readonly RefusalCount[]): RefusalCount[] {
  const merged = new Map<string, RefusalCount>();
  for (const entry of counts) {
    const key = `${entry.day}|${entry.category}`;
    merged.set(key, { ...entry, count: (merged.get(key)?.count ?? 0) + entry.count });
  }
  return [...merged.values()].filter((entry) => entry.count > 0);
}

/** The refusal counts in `rate_limit_refusals`: one multi-row upsert per flush, whatever the instance. */
export function makeRateLimitRefusalLog(db: Database): RateLimitRefusalLog {
  return {
    async add(counts) {
      const rows = mergedRefusalCounts(counts);
      if (rows.length === 0) return;
      // A row per key (merged above): ON CONFLICT may not touch one row twice in a statement.
      await db
        .insert(rateLimitRefusals)
        .values(rows)
        .onConflictDoUpdate({
          target: [rateLimitRefusals.day, rateLimitRefusals.category],
          set: { count: sql`${rateLimitRefusals.count} + excluded.count` },
        });
    },
    async dailyCounts(sinceDay) {
      const rows = await db
        .select()
        .from(rateLimitRefusals)
        .where(gte(rateLimitRefusals.day, sinceDay))
        .orderBy(rateLimitRefusals.day, rateLimitRefusals.category);
      return rows.map((row) => ({
        day: row.day,
        category: row.category as RateLimitCategory,
        count: Number(row.count),
      }));
    },
    async deleteDaysBefore(beforeDay) {
      const deleted = await db
        .delete(rateLimitRefusals)
        .where(lt(rateLimitRefusals.day, beforeDay))
        .returning({ day: rateLimitRefusals.day });
      return deleted.length;
    },
  };
}
