import type { RateLimitRefusalLog, RefusalCount } from "@gatehouse/domain";
import { mergedRefusalCounts } from "../db/rate-limit-refusal-log.js";

/** The refusal log of one process, for tests and tools: the same answers as the table, in a map. */
export class MemoryRateLimitRefusalLog implements RateLimitRefusalLog {
  private readonly rows = new Map<string, RefusalCount>();

  async add(counts: readonly RefusalCount[]): Promise<void> {
    for (const entry of mergedRefusalCounts(counts)) {
      const key = `${entry.day}|${entry.category}`;
      this.rows.set(key, { ...entry, count: (this.rows.get(key)?.count ?? 0) + entry.count });
    }
  }

  async dailyCounts(sinceDay: string): Promise<RefusalCount[]> {
    return [...this.rows.values()]
      .filter((row) => row.day >= sinceDay)
      .sort((a, b) => a.day.localeCompare(b.day) || a.category.localeCompare(b.category));
  }

  async deleteDaysBefore(beforeDay: string): Promise<number> {
    const old = [...this.rows.entries()].filter(([, row]) => row.day < beforeDay);
    for (const [key] of old) this.rows.delete(key);
    return old.length;
  }
}
