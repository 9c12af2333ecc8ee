// Rate-limit refusals per day (README "Rate limiting", the admin dashboard's chart).
import { sql } from "drizzle-orm";
import { bigint, check, date, pgTable, primaryKey, varchar } from "drizzle-orm/pg-core";

/**
 * Requests refused by a rate limit per (UTC day, category), as increments flushed in batches by
 * every instance (`count = count + excluded.count`); the worker deletes days past the retention.
 */
export const rateLimitRefusals = pgTable(
  "rate_limit_refusals",
  {
    day: date("day", { mode: "string" }).notNull(),
    category: varchar("category", { length: 32 }).notNull(),
    count: bigint("count", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.category] }), check("rate_limit_refusals_count_check", sql`${t.count} >= 0`)],
);
