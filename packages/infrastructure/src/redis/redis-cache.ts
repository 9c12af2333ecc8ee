import type { Cache, Clock } from "@gatehouse/domain";
import { MemoryCache } from "../cache/memory-cache.js";
import type { Logger } from "../logging/logger.js";
import type { RedisConnection } from "./redis-connection.js";

/** Cache entries live under their own namespace, apart from revocations and rate limits. */
const NAMESPACE = "cache:";
const INVALIDATIONS = "cache-invalidations";
/** How long a node keeps a value read from Redis in its own memory (bounds any missed invalidation). */
const LOCAL_TTL_SECONDS = 30;

export interface CacheStats {
  readonly hits: number;
  /** Hits answered from the node's own memory, without a Redis round trip. */
  readonly local_hits: number;
  readonly misses: number;
  /** Commands that failed (timeout, connection lost); each failed read also counts as a miss. */
  readonly errors: number;
}

/** What is stored in Redis: the value and when it expires, so a local copy never outlives it. */
interface Stored {
  readonly expiresAt: number;
  readonly value: unknown;
}

type CacheRedis = Pick<RedisConnection, "get" | "set" | "del" | "publish" | "subscribe" | "onReconnect" | "isReady">;

/**
 * The shared cache of a multi-node deployment, with a near cache in each node. Every node
 * reads and invalidates the same Redis keys; a `delete` also publishes the keys, and every node
 * drops them from its memory when the message arrives, so a warm read costs no round trip.
 * A node keeps nothing in memory while Redis is unreachable (it could miss invalidations),
 * forgets its memory when the connection returns, and never caches a value whose Redis read
 * overlapped an invalidation.
 *
 * Redis failures never reach the caller: a read answers a miss, a write is dropped, and an
 * invalidation that could not be sent is retried as soon as the connection returns.
 */
export class RedisCache implements Cache {
  private hits = 0;
  private localHits = 0;
  private misses = 0;
  private errors = 0;
  private readonly pendingDeletes = new Set<string>();
  private local: MemoryCache;
  /** Bumped by every invalidation seen, so a read that overlapped one is not kept locally. */
  private invalidations = 0;

  private constructor(
    private readonly redis: CacheRedis,
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {
    this.local = new MemoryCache(clock);
  }

  static async open(redis: CacheRedis, logger: Logger, clock: Clock): Promise<RedisCache> {
    const cache = new RedisCache(redis, logger, clock);
    await redis.subscribe(INVALIDATIONS, (message) => cache.received(message));
    redis.onReconnect(() => {
      cache.forgetLocal();
      void cache.retryPendingDeletes();
    });
    return cache;
  }

  async get<T>(key: string): Promise<T | undefined> {
    const connected = this.redis.isReady();
    if (connected) {
      const near = await this.local.get<T>(key);
      if (near !== undefined) {
        this.localHits++;
        this.hits++;
        return near;
      }
    }
    const seen = this.invalidations;
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
      const stored = JSON.parse(raw) as Stored;
      this.hits++;
      const remainingSeconds = Math.min(LOCAL_TTL_SECONDS, (stored.expiresAt - this.clock.now().getTime()) / 1000);
      if (connected && seen === this.invalidations && remainingSeconds > 0) {
        await this.local.set(key, stored.value, remainingSeconds);
      }
      return stored.value as T;
    } catch (error) {
      this.failed(error, "decode");
      this.misses++;
      return undefined;
    }
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    try {
      const stored: Stored = { expiresAt: this.clock.now().getTime() + ttlSeconds * 1000, value };
      await this.redis.set(NAMESPACE + key, JSON.stringify(stored), ttlSeconds);
    } catch (error) {
      this.failed(error, "write");
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    this.dropLocal(keys);
    try {
      await this.redis.del(keys.map((key) => NAMESPACE + key));
      await this.redis.publish(INVALIDATIONS, JSON.stringify(keys));
    } catch (error) {
      this.failed(error, "invalidation");
      for (const key of keys) this.pendingDeletes.add(key);
    }
  }

  stats(): CacheStats {
    return { hits: this.hits, local_hits: this.localHits, misses: this.misses, errors: this.errors };
  }

  private dropLocal(keys: readonly string[]): void {
    this.invalidations++;
    void this.local.delete(keys);
  }

  private forgetLocal(): void {
    this.invalidations++;
    this.local = new MemoryCache(this.clock);
  }

  private received(message: string): void {
    try {
      const keys: unknown = JSON.parse(message);
      if (Array.isArray(keys)) this.dropLocal(keys.filter((key): key is string => typeof key === "string"));
    } catch {
      // Not ours to decode: forget everything rather than risk a stale entry.
      this.forgetLocal();
    }
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
