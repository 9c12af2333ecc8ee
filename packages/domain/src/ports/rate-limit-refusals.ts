import type { RateLimitCategory } from "../rate-limit/rate-limit.js";

/** How many requests of one category a rate limit refused on one UTC day. */
export interface RefusalCount {
  /** The UTC day, `YYYY-MM-DD`. */
  readonly day: string;
  readonly category: RateLimitCategory;
  readonly count: number;
}

/**
 * Notes one refusal (a 429 RATE_LIMIT_EXCEEDED) of `category`. Synchronous and in memory: a
 * refused request must cost no I/O, or a flood of 429s would become a flood of writes.
 */
export interface RateLimitRefusals {
  record(category: RateLimitCategory): void;
}

/**
 * The durable per-day refusal counts behind the admin dashboard's "Rate-limited requests":
 * written in batches (the refusal buffer's flush), one row per (day, category), which every
 * instance adds to.
 */
export interface RateLimitRefusalLog {
  /**
   * Adds each count to its (day, category) row, creating the row when it is missing, in one
   * statement: `count = count + excluded.count`. Entries naming the same (day, category) add up.
   */
  add(counts: readonly RefusalCount[]): Promise<void>;
  /** Every row of a day from `sinceDay` (`YYYY-MM-DD`, inclusive) on; days without refusals are absent. */
  dailyCounts(sinceDay: string): Promise<RefusalCount[]>;
  /** Deletes the rows of days before `beforeDay` (`YYYY-MM-DD`, exclusive); returns how many. */
  deleteDaysBefore(beforeDay: string): Promise<number>;
}
