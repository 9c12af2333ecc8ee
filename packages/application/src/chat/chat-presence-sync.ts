import type { ChatPresenceBoard } from "@gatehouse/domain";
import type { ChatHub } from "./chat-hub.js";
import type { ChatPresence } from "./list-chat-rooms.js";

export interface ChatPresenceSyncDeps {
  readonly hub: Pick<ChatHub, "onMembershipChange" | "onlineUsers" | "onlineCounts">;
  readonly board: ChatPresenceBoard;
  /** How often every room this node holds users in is published again; default a third of the board's TTL. */
  readonly heartbeatMs?: number;
  /** How long a changed room waits before it is published, so a burst of joins costs one write. Default 250 ms. */
  readonly debounceMs?: number;
  readonly onError: (error: unknown, what: string) => void;
}

export interface ChatPresenceSync extends ChatPresence {
  /** Graceful shutdown: stops the timers and removes this node's entries from the board. */
  stop(): Promise<void>;
}

/**
 * Keeps the presence board up to date with this node's sockets and answers the cluster-wide
 * counts from it (README "Chat"). A room is published `debounceMs` after its membership
 * changed and then every `heartbeatMs`, which renews the lease well inside the TTL; a failed
 * publish is retried on the next heartbeat. With the board unreachable, counts fall back to
 * this node's own sockets rather than failing the listing.
 */
export function makeChatPresenceSync(deps: ChatPresenceSyncDeps): ChatPresenceSync {
  const { hub, board } = deps;
  const debounceMs = deps.debounceMs ?? 250;
  const heartbeatMs = deps.heartbeatMs ?? Math.max(1, Math.floor(board.ttlMs / 3));
  /** Rooms the board may hold an entry of this node for, or whose last publish failed. */
  const held = new Set<string>();
  const changed = new Set<string>();
  /** Per room, the publish in flight: publishes of one room go out in order, never overtaking. */
  const chains = new Map<string, Promise<void>>();
  let debounce: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  // Reported once per outage, not once per heartbeat or per listing while the board is down.
  const failing = { publishing: false, reading: false };
  const failed = (what: keyof typeof failing, error: unknown) => {
    if (!failing[what]) deps.onError(error, `${what} chat presence`);
    failing[what] = true;
  };

  const publish = (roomId: string, users: () => readonly string[]): Promise<void> => {
    const next = (chains.get(roomId) ?? Promise.resolve()).then(async () => {
      const userIds = users();
      try {
        await board.publish(roomId, userIds);
        failing.publishing = false;
        // Added back on a non-empty one: a join while an empty publish was in flight must keep its heartbeat.
        if (userIds.length === 0) held.delete(roomId);
        else held.add(roomId);
      } catch (error) {
        failed("publishing", error);
      }
    });
    chains.set(roomId, next);
    void next.then(() => {
      if (chains.get(roomId) === next) chains.delete(roomId);
    });
    return next;
  };

  const flush = () => {
    // A heartbeat flushes the rooms waiting for the debounce too; their timer has nothing left to do.
    clearTimeout(debounce);
    debounce = undefined;
    const rooms = [...changed];
    changed.clear();
    for (const roomId of rooms) void publish(roomId, () => hub.onlineUsers(roomId));
  };

  hub.onMembershipChange((roomId) => {
    if (stopped) return;
    held.add(roomId);
    changed.add(roomId);
    if (debounce === undefined) {
      debounce = setTimeout(flush, debounceMs);
      debounce.unref?.();
    }
  });

  const heartbeat = setInterval(() => {
    for (const roomId of held) changed.add(roomId);
    flush();
  }, heartbeatMs);
  heartbeat.unref?.();

  return {
    async onlineCounts(roomIds) {
      const local = hub.onlineCounts();
      let shared: ReadonlyMap<string, number>;
      try {
        shared = await board.onlineCounts(roomIds);
        failing.reading = false;
      } catch (error) {
        failed("reading", error);
        shared = new Map();
      }
      // Never below what this node sees itself: its own joins of the last `debounceMs` are not
      // on the board yet, and while the board is down the local count is all there is.
      return new Map(roomIds.map((id) => [id, Math.max(shared.get(id) ?? 0, local.get(id) ?? 0)]));
    },

    async stop() {
      stopped = true;
      clearTimeout(debounce);
      clearInterval(heartbeat);
      changed.clear();
      await Promise.all([...held].map((roomId) => publish(roomId, () => [])));
    },
  };
}
