import type { Cache } from "@gatehouse/domain";
import type { Logger } from "../logging/logger.js";
import type { RedisConnection } from "./redis-connection.js";

/** Cache entries live under their own namespace, apart from revocations and rate limits. */
const NAMESPACE = "cache:";

export interface CacheStats {
  readonly hits: number;
  readonly misses: number;
  /** Commands that failed (timeout, connection lost); each failed read also counts as a miss. */
  readonly errors: number;
}

/**
 * The shared cache of a multi-node deployment. Every instance reads and invalidates the same
 * keys, so a `delete` on one node is seen by all. Redis failures never reach the caller: a
 * read answers a miss, a write is dropped, and an invalidation that could not be sent is
 * retried as soon as the connection returns (until then every read is a miss anyway).
 */
export class RedisCache implements Cache {
  private hits = 0;
  private misses = 0;
  private errors = 0;
  private readonly pendingDeletes = new Set<string>();

  constructor(
    private readonly redis: Pick<RedisConnection, "get" | "set" | "del" | "onReconnect">,
    private readonly logger: Logger,
  ) {
    redis.onReconnect(() => void this.retryPendingDeletes());
  }

  async get<T>(key: string): Promise<T | undefined> {
    let raw: string | null;
    try {
      raw = await this.redis.get(NAMESPACE + key);
    } catch (error) {
      this.failed(error, "read");
      this.misses++;
      return undefined;
    }
    if (raw === null) {
      this.misses++;
      return undefined;
    }
    try {
      const value = JSON.parse(raw) as T;
      this.hits++;
      return value;
    } catch (error) {
      this.failed(error, "decode");
      this.misses++;
      return undefined;
    }
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    try {
      await this.redis.set(NAMESPACE + key, JSON.stringify(value), ttlSeconds);
    } catch (error) {
      this.failed(error, "write");
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    try {
      await this.redis.del(keys.map((key) => NAMESPACE + key));
    } catch (error) {
      this.failed(error, "invalidation");
      for (const key of keys) this.pendingDeletes.add(key);
    }
  }

  stats(): CacheStats {
    return { hits: this.hits, misses: this.misses, errors: this.errors };
  }

  private async retryPendingDeletes(): Promise<void> {
    if (this.pendingDeletes.size === 0) return;
    const keys = [...this.pendingDeletes];
    this.pendingDeletes.clear();
    await this.delete(keys);
    this.logger.info({ keys: keys.length }, "cache invalidations from the Redis outage sent");
  }

  private failed(error: unknown, what: string): void {
    this.errors++;
    // The connection logs the outage once; per-command failures are debug-level noise.
    this.logger.debug({ err: error }, `cache ${what} failed: bypassing the cache`);
  }
}
