import type { Clock, RateLimitCategory, RateLimitRefusalLog, RateLimitRefusals, RefusalCount } from "@gatehouse/domain";

/** Refusals counted in memory per (UTC day, category) and written as increments, one upsert per flush. */
export interface RefusalBuffer extends RateLimitRefusals {
  /** Writes what was counted since the last flush; on a failure the counts stay for the next one. */
  flush(): Promise<void>;
  /** Flushes every `intervalMs` until `stop`; the timer does not keep the process alive. */
  start(intervalMs: number): void;
  /** Stops the timer and flushes what is left (graceful shutdown). */
  stop(): Promise<void>;
}

export interface RefusalBufferDeps {
  readonly log: Pick<RateLimitRefusalLog, "add">;
  readonly clock: Clock;
  /** A failed periodic flush (the database is down): reported, and retried on the next tick. */
  readonly onFlushError?: (error: unknown) => void;
}

/**
 * The one place a refusal becomes durable (README "Rate limiting"): `record` only bumps a
 * counter, so an attacker flooding 429s costs at most one write per (day, category) per
 * interval and instance. The day is the refusal's own, so a flush after midnight still adds
 * yesterday's counts to yesterday.
 */
export function makeRefusalBuffer(deps: RefusalBufferDeps): RefusalBuffer {
  let pending = new Map<string, RefusalCount>();
  let timer: ReturnType<typeof setInterval> | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const putBack = (counts: readonly RefusalCount[]) => {
    for (const entry of counts) add(entry.day, entry.category, entry.count);
  };
  const add = (day: string, category: RateLimitCategory, count: number) => {
    const key = `${day}|${category}`;
    pending.set(key, { day, category, count: (pending.get(key)?.count ?? 0) + count });
  };
  const write = async () => {
    if (pending.size === 0) return;
    const counts = [...pending.values()];
    pending = new Map();
    try {
      await deps.log.add(counts);
    } catch (error) {
      putBack(counts);
      throw error;
    }
  };
  // One write at a time: a slow tick and the shutdown flush must not send the same counts twice.
  const flush = () => {
    inFlight = inFlight.then(write, write);
    return inFlight;
  };

  return {
    record(category) {
      add(deps.clock.now().toISOString().slice(0, 10), category, 1);
    },
    flush,
    start(intervalMs) {
      if (timer !== undefined) return;
      timer = setInterval(() => {
        flush().catch((error: unknown) => deps.onFlushError?.(error));
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      await flush();
    },
  };
}
