import type { Clock, RevokedSessionsFeed, SessionRevocations } from "@gatehouse/domain";

/**
 * The revocation list of one process: revoked `sid`s, each kept as long as an access token
 * of that session can still be unexpired. Checking is a map lookup. It is rebuilt from the
 * database at start (see `seed`), so a restart does not resurrect revoked sessions; sharing it
 * between instances is the Redis adapter's job.
 */
export class MemorySessionRevocations implements SessionRevocations, RevokedSessionsFeed {
  private readonly revokedUntil = new Map<string, number>();
  private readonly listeners = new Set<(sids: readonly string[]) => void>();
  private lastSweep = 0;

  constructor(
    private readonly clock: Clock,
    /** Access-token lifetime plus clock tolerance, in seconds. */
    private readonly retainSeconds: number,
  ) {}

  async isRevoked(sid: string): Promise<boolean> {
    const until = this.revokedUntil.get(sid);
    if (until === undefined) return false;
    if (until > this.clock.now().getTime()) return true;
    this.revokedUntil.delete(sid);
    return false;
  }

  async revoke(sids: readonly string[]): Promise<void> {
    const now = this.clock.now().getTime();
    const until = now + this.retainSeconds * 1000;
    for (const sid of sids) this.revokedUntil.set(sid, until);
    this.sweep(now);
    this.notify(sids);
  }

  /** Loads sessions revoked elsewhere: while this process was not running, or on another instance. */
  seed(sids: readonly string[]): void {
    const until = this.clock.now().getTime() + this.retainSeconds * 1000;
    for (const sid of sids) this.revokedUntil.set(sid, until);
    this.notify(sids);
  }

  onRevoked(listener: (sids: readonly string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(sids: readonly string[]): void {
    if (sids.length === 0) return;
    for (const listener of this.listeners) listener(sids);
  }

  get size(): number {
    return this.revokedUntil.size;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [sid, until] of this.revokedUntil) if (until <= now) this.revokedUntil.delete(sid);
  }
}
