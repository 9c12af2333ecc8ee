import type { Cache, Clock } from "@gatehouse/domain";

interface Entry {
  readonly json: string;
  readonly expiresAt: number;
}

/**
 * The per-process cache of the embedded default (no `REDIS_URL`). Values are stored as JSON
 * so a caller can never mutate a cached value through a shared reference, exactly as with
 * Redis. Bounded: past `maxEntries` the oldest entry is evicted.
 */
export class MemoryCache implements Cache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly maxEntries = 10_000,
  ) {}

  async get<T>(key: string): Promise<T | undefined> {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.clock.now().getTime()) {
      this.entries.delete(key);
      return undefined;
    }
    return JSON.parse(entry.json) as T;
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { json: JSON.stringify(value), expiresAt: this.clock.now().getTime() + ttlSeconds * 1000 });
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
