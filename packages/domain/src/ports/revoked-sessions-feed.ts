/**
 * Notice of sessions being revoked, on this node or another: the same revocations
 * `SessionRevocations` refuses tokens for, pushed to whoever holds long-lived connections
 * (chat sockets) so they can close them instead of waiting for the next request.
 */
export interface RevokedSessionsFeed {
  /**
   * Calls `listener` with sids as this node learns they were revoked. A sid may be reported
   * more than once (reloads after a reconnect repeat it). Returns a function that stops it.
   */
  onRevoked(listener: (sids: readonly string[]) => void): () => void;
}
