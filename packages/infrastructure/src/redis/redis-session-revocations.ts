import type { Clock, RevokedSessionsFeed, SessionRevocations } from "@gatehouse/domain";
import type { Logger } from "../logging/logger.js";
import { MemorySessionRevocations } from "../security/memory-session-revocations.js";
import { type RedisConnection, RedisScript } from "./redis-connection.js";

/** One sorted set of revoked sids scored by the time their access tokens are all expired. */
const REVOKED_KEY = "revoked-sessions";
const CHANNEL = "session-revocations";

// Adds the sids with their expiry and drops members whose expiry has passed; the key itself
// expires with its newest member, so an idle deployment leaves nothing behind.
const RECORD = new RedisScript(`
local expires = tonumber(ARGV[1])
for i = 3, #ARGV do redis.call('ZADD', KEYS[1], expires, ARGV[i]) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
redis.call('PEXPIREAT', KEYS[1], expires)
return #ARGV - 2
`);

export interface RedisSessionRevocationsDeps {
  readonly redis: Pick<
    RedisConnection,
    "runScript" | "zRangeByScore" | "publish" | "subscribe" | "onReconnect" | "isReady"
  >;
  readonly clock: Clock;
  /** Access-token lifetime plus clock tolerance, in seconds. */
  readonly retainSeconds: number;
  /**
   * Sessions revoked in the database since `since` (refresh-token families). Used at start,
   * after every reconnect, and every `pollWhileDownMs` while Redis is unreachable.
   */
  readonly revokedInDatabaseSince: (since: Date) => Promise<string[]>;
  readonly logger: Logger;
  /** How often the database is polled while Redis is down. Default 5000 ms. */
  readonly pollWhileDownMs?: number;
}

/**
 * Instant revocation across instances. Each instance keeps the revocation list in memory, so
 * checking a token costs no network round trip; Redis shares it: a revoke is recorded in a
 * sorted set (for instances that start or reconnect later) and published, and every instance
 * adds published sids to its list as they arrive.
 *
 * Redis down: the revoking instance still refuses the tokens at once (its own list), and the
 * revocation is in PostgreSQL (the refresh-token family), which every instance polls while it
 * cannot reach Redis, so other instances refuse the tokens within `pollWhileDownMs`. When
 * Redis returns, the sids it missed are written to it and every instance reloads the set.
 */
export class RedisSessionRevocations implements SessionRevocations, RevokedSessionsFeed {
  private readonly local: MemorySessionRevocations;
  private readonly unsent = new Set<string>();
  private poller: ReturnType<typeof setInterval> | undefined;

  private constructor(private readonly deps: RedisSessionRevocationsDeps) {
    this.local = new MemorySessionRevocations(deps.clock, deps.retainSeconds);
  }

  /** Subscribes, then loads the database's and Redis's lists (whichever is reachable). */
  static async open(deps: RedisSessionRevocationsDeps): Promise<RedisSessionRevocations> {
    const revocations = new RedisSessionRevocations(deps);
    await deps.redis.subscribe(CHANNEL, (message) => revocations.received(message));
    deps.redis.onReconnect(() => void revocations.resync());
    revocations.local.seed(await deps.revokedInDatabaseSince(revocations.windowStart()));
    await revocations.loadFromRedis();
    revocations.poller = setInterval(() => void revocations.pollIfDown(), deps.pollWhileDownMs ?? 5000);
    revocations.poller.unref();
    return revocations;
  }

  async isRevoked(sid: string): Promise<boolean> {
    return this.local.isRevoked(sid);
  }

  async revoke(sids: readonly string[]): Promise<void> {
    if (sids.length === 0) return;
    await this.local.revoke(sids);
    try {
      await this.share(sids);
    } catch (error) {
      for (const sid of sids) this.unsent.add(sid);
      this.deps.logger.warn(
        { err: error, sessions: sids.length },
        "session revocation not shared through Redis: other instances learn it from PostgreSQL",
      );
    }
  }

  /** Sessions revoked here, published by another instance, or reloaded from Redis or PostgreSQL. */
  onRevoked(listener: (sids: readonly string[]) => void): () => void {
    return this.local.onRevoked(listener);
  }

  /** Revoked sessions this instance knows of (for tests and details). */
  get size(): number {
    return this.local.size;
  }

  close(): void {
    clearInterval(this.poller);
  }

  private async share(sids: readonly string[]): Promise<void> {
    const now = this.deps.clock.now().getTime();
    const expires = now + this.deps.retainSeconds * 1000;
    await Promise.all([
      this.deps.redis.runScript(RECORD, [REVOKED_KEY], [String(expires), String(now), ...sids]),
      this.deps.redis.publish(CHANNEL, JSON.stringify(sids)),
    ]);
  }

  private received(message: string): void {
    try {
      const sids: unknown = JSON.parse(message);
      if (Array.isArray(sids)) this.local.seed(sids.filter((sid): sid is string => typeof sid === "string"));
    } catch (error) {
      this.deps.logger.warn({ err: error }, "ignored a malformed session-revocation message");
    }
  }

  private windowStart(): Date {
    return new Date(this.deps.clock.now().getTime() - this.deps.retainSeconds * 1000);
  }

  private async loadFromRedis(): Promise<void> {
    try {
      this.local.seed(
        await this.deps.redis.zRangeByScore(REVOKED_KEY, this.deps.clock.now().getTime(), Number.POSITIVE_INFINITY),
      );
    } catch {
      // Unreachable now: the reconnect resync loads it.
    }
  }

  /** After a reconnect: send what could not be sent, then catch up on what was missed. */
  async resync(): Promise<void> {
    if (this.unsent.size > 0) {
      const sids = [...this.unsent];
      this.unsent.clear();
      await this.revoke(sids);
    }
    await this.loadFromRedis();
    await this.loadFromDatabase();
  }

  private async pollIfDown(): Promise<void> {
    if (!this.deps.redis.isReady()) await this.loadFromDatabase();
  }

  private async loadFromDatabase(): Promise<void> {
    try {
      this.local.seed(await this.deps.revokedInDatabaseSince(this.windowStart()));
    } catch (error) {
      this.deps.logger.warn({ err: error }, "could not reload revoked sessions from the database");
    }
  }
}
