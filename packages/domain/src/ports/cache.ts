/**
 * A shared cache for cache-aside reads (ARCHITECTURE, Several nodes: Redis). Values are JSON-serialisable. A cache is
 * an optimisation, never the source of truth: implementations must not throw when their
 * backend is unreachable; they answer a miss (and count it) instead, so a cache outage never
 * fails a request.
 */
export interface Cache {
  /** The value stored under `key`, or `undefined` on a miss, an expired entry or an outage. */
  get<T>(key: string): Promise<T | undefined>;
  /** Stores `value` under `key` for `ttlSeconds`. A failure to store is swallowed. */
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  /**
   * Removes the keys, so the next read goes to the source. Invalidation must reach every
   * instance that shares the cache before the change is reported done.
   */
  delete(keys: readonly string[]): Promise<void>;
}
