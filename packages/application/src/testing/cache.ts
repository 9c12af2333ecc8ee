import type { Cache, Clock } from "@gatehouse/domain";

/** A cache for unit tests that records how it was used. Values are copied through JSON. */
export class FakeCache implements Cache {
  private readonly entries = new Map<string, { json: string; expiresAt: number }>();
  readonly deleted: string[] = [];
  hits = 0;
  misses = 0;

  constructor(private readonly clock: Clock) {}

  async get<T>(key: string): Promise<T | undefined> {
    const entry = this.entries.get(key);
    if (entry === undefined || entry.expiresAt <= this.clock.now().getTime()) {
      this.misses += 1;
      return undefined;
    }
    this.hits += 1;
    return JSON.parse(entry.json) as T;
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    this.entries.set(key, { json: JSON.stringify(value), expiresAt: this.clock.now().getTime() + ttlSeconds * 1000 });
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      this.entries.delete(key);
      this.deleted.push(key);
    }
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }
}
