/**
 * Who is online in which room across every node: each node publishes the users it has sockets
 * for, and any node can count them all. `GET /api/v1/chat/rooms` reads it, so the count does
 * not depend on which node a load balancer picked.
 *
 * Entries are leases, not records: a node's entry for a room lives until `ttlMs` passes without
 * the node publishing it again, so a node that dies without saying goodbye (SIGKILL, a lost
 * host) drops out after the TTL rather than counting its users forever. A live node therefore
 * re-publishes well within the TTL.
 */
export interface ChatPresenceBoard {
  /** How long an entry counts without being published again, in milliseconds. */
  readonly ttlMs: number;
  /**
   * Replaces this node's entry for `roomId` with `userIds` (duplicates count once) and renews
   * its lease; an empty list removes the entry. Rejects when the store is unreachable.
   */
  publish(roomId: string, userIds: readonly string[]): Promise<void>;
  /**
   * Distinct users over every live node's entry, per room asked for; a room nobody is in maps
   * to 0. Rejects when the store is unreachable (the caller falls back to what it knows).
   */
  onlineCounts(roomIds: readonly string[]): Promise<ReadonlyMap<string, number>>;
}
