import { randomUUID } from "node:crypto";
import type { ChatPresenceBoard, Clock } from "@gatehouse/domain";
import { systemClock } from "../security/system-clock.js";

interface Lease {
  readonly users: ReadonlySet<string>;
  readonly expiresAt: number;
}

/** The store several in-process boards share (tests stand in for nodes with them). */
export type MemoryPresenceSpace = Map<string, Map<string, Lease>>;

export interface MemoryChatPresenceBoardOptions {
  readonly ttlMs: number;
  readonly clock?: Clock;
  /** Shared with other boards that stand for other nodes; a fresh one by default. */
  readonly space?: MemoryPresenceSpace;
}

/**
 * The presence board of a single node without Redis: the same lease semantics as the Redis
 * board (README "Chat"), so the sync on top behaves alike whichever is wired.
 */
export class MemoryChatPresenceBoard implements ChatPresenceBoard {
  readonly ttlMs: number;
  private readonly clock: Clock;
  private readonly space: MemoryPresenceSpace;
  /** Its own identity in the space, like a node id. */
  private readonly node = randomUUID();

  constructor(options: MemoryChatPresenceBoardOptions) {
    this.ttlMs = options.ttlMs;
    this.clock = options.clock ?? systemClock;
    this.space = options.space ?? new Map();
  }

  async publish(roomId: string, userIds: readonly string[]): Promise<void> {
    const leases = this.space.get(roomId) ?? new Map<string, Lease>();
    if (userIds.length === 0) leases.delete(this.node);
    else leases.set(this.node, { users: new Set(userIds), expiresAt: this.now() + this.ttlMs });
    this.prune(roomId, leases);
  }

  async onlineCounts(roomIds: readonly string[]): Promise<ReadonlyMap<string, number>> {
    const counts = new Map<string, number>();
    for (const roomId of roomIds) {
      const leases = this.space.get(roomId);
      if (leases !== undefined) this.prune(roomId, leases);
      const users = new Set<string>();
      for (const lease of leases?.values() ?? []) for (const user of lease.users) users.add(user);
      counts.set(roomId, users.size);
    }
    return counts;
  }

  /** Drops the leases that ran out, and the room once none is left. */
  private prune(roomId: string, leases: Map<string, Lease>): void {
    const now = this.now();
    for (const [node, lease] of leases) if (lease.expiresAt <= now) leases.delete(node);
    if (leases.size === 0) this.space.delete(roomId);
    else this.space.set(roomId, leases);
  }

  private now(): number {
    return this.clock.now().getTime();
  }
}
