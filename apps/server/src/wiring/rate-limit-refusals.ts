import { makeRefusalBuffer, type RefusalBuffer } from "@gatehouse/application";
import type { RateLimitRefusalLog } from "@gatehouse/domain";
import { type Config, type Logger, makeRateLimitRefusalLog } from "@gatehouse/infrastructure";
import type { Adapters } from "./adapters.js";

/** The refusal counts of the admin dashboard: the durable log, and the buffer in front of it. */
export interface RefusalCounting {
  /** Read by the dashboard's use case; written only by `refusals`' flush. */
  readonly refusalLog: RateLimitRefusalLog;
  /** What `checkRateLimit` and the failure budgets record each 429 in (memory only). */
  readonly refusals: RefusalBuffer;
}

/**
 * Counts refusals in memory and writes them every RATE_LIMIT_REFUSALS_FLUSH_SECONDS (README
 * "Rate limiting"); the owner calls `refusals.stop()` while the database is still open, so a
 * graceful shutdown writes the last interval too. A failed flush keeps its counts for the next.
 */
export function startRefusalCounting(
  config: Pick<Config, "rateLimitRefusalsFlushSeconds">,
  adapters: Pick<Adapters, "database" | "clock">,
  logger: Logger,
): RefusalCounting {
  const refusalLog = makeRateLimitRefusalLog(adapters.database.db);
  const refusals = makeRefusalBuffer({
    log: refusalLog,
    clock: adapters.clock,
    onFlushError: (error) => logger.warn({ err: error }, "rate-limit refusal counts not written: retrying later"),
  });
  refusals.start(config.rateLimitRefusalsFlushSeconds * 1000);
  return { refusalLog, refusals };
}
