// Over 300 lines on purpose: the hub's per-room ordering, held frames and socket registry are
// one piece of state; split, the no-gap/no-duplicate reasoning would span files.
import {
  type ChatBus,
  type ChatEvent,
  type ChatMessage,
  type ChatRepository,
  type PresenceFrame,
  type RevokedSessionsFeed,
  toMessageFrame,
} from "@gatehouse/domain";

/** One authorised socket, as the hub sees it. */
export interface ChatConnection {
  readonly userId: string;
  /** The session of the token it authorised with; changes when it re-authorises. */
  readonly sid: string;
  /** Queues an already serialized frame (UTF-8 JSON text): encoded once per event, not per socket. */
  deliver(frame: Uint8Array): void;
  /** Its session was revoked: it closes. */
  revoked(): void;
  /** A room it joined changed (deleted, made private, members removed): it checks its access again. */
  roomChanged(roomId: string): void;
}

export interface ChatHubDeps {
  readonly chat: Pick<ChatRepository, "listMessages">;
  readonly bus: ChatBus;
  readonly revokedSessions: RevokedSessionsFeed;
  readonly maxSocketsPerUser: number;
  readonly maxReplay: number;
  /** How long an out-of-order message waits for the ones before it before they are read from the database. */
  readonly gapWaitMs?: number;
  readonly onError: (error: unknown, what: string) => void;
}

export interface JoinOutcome {
  /** The newest message id the socket has now seen in the room (null: the room is empty). */
  readonly lastMessageId: string | null;
  /** More messages were missed than are replayed; the rest are in the history. */
  readonly replayTruncated: boolean;
}

interface Member {
  cursor: bigint;
  /** Frames that arrived while the replay was read; null once live. */
  pending: Array<{ readonly id: bigint | undefined; readonly frame: Uint8Array }> | null;
}

/** The hub's view of one room on this node: its members and how far its message sequence got. */
interface RoomFeed {
  readonly id: string;
  readonly members: Map<ChatConnection, Member>;
  /** The last message id delivered in order; undefined until the start point was read. */
  last: bigint | undefined;
  ready: Promise<void>;
  /** Messages that arrived ahead of a gap, by id. */
  readonly ahead: Map<bigint, ChatMessage>;
  gapTimer: ReturnType<typeof setTimeout> | undefined;
  filling: boolean;
}

const FILL_BATCH = 1000;
const utf8 = new TextEncoder();
const encode = (frame: unknown) => utf8.encode(JSON.stringify(frame));

/**
 * Delivery of room events to the sockets of this node. Each room's messages reach each socket
 * once and in id order: ids are consecutive per room, so a message arriving ahead of its
 * predecessor waits for it briefly, then the missing ones are read from the database (a publish
 * lost while Redis was away, or overtaken on the way). A socket that joins with
 * `last_message_id` gets what it missed from the database before live messages, with nothing
 * repeated. It also indexes sockets by user (the per-user limit) and by session (revocation).
 */
export function makeChatHub(deps: ChatHubDeps) {
  const rooms = new Map<string, RoomFeed>();
  const roomsOf = new Map<ChatConnection, Set<string>>();
  const bySid = new Map<string, Set<ChatConnection>>();
  const byUser = new Map<string, Set<ChatConnection>>();
  const gapWaitMs = deps.gapWaitMs ?? 50;
  const membershipListeners: ((roomId: string) => void)[] = [];
  const membershipChanged = (roomId: string) => {
    for (const listener of membershipListeners) listener(roomId);
  };

  const index = (map: Map<string, Set<ChatConnection>>, key: string, connection: ChatConnection) => {
    const set = map.get(key) ?? new Set();
    set.add(connection);
    map.set(key, set);
  };
  const unindex = (map: Map<string, Set<ChatConnection>>, key: string, connection: ChatConnection) => {
    const set = map.get(key);
    set?.delete(connection);
    if (set?.size === 0) map.delete(key);
  };

  deps.revokedSessions.onRevoked((sids) => {
    for (const sid of sids) for (const connection of [...(bySid.get(sid) ?? [])]) connection.revoked();
  });

  function send(room: RoomFeed, id: bigint | undefined, frame: Uint8Array): void {
    for (const [connection, member] of room.members) {
      if (member.pending !== null) member.pending.push({ id, frame });
      else if (id === undefined) connection.deliver(frame);
      else if (id > member.cursor) {
        member.cursor = id;
        connection.deliver(frame);
      }
    }
  }

  /** Delivers everything that is next in sequence. */
  function advance(room: RoomFeed): void {
    for (let next = (room.last ?? 0n) + 1n; room.ahead.has(next); next += 1n) {
      const message = room.ahead.get(next) as ChatMessage;
      room.ahead.delete(next);
      room.last = next;
      send(room, next, encode(toMessageFrame(message)));
    }
    if (room.ahead.size > 0 && room.gapTimer === undefined && !room.filling) {
      room.gapTimer = setTimeout(() => void fill(room), gapWaitMs);
      room.gapTimer.unref?.();
    }
  }

  function accept(room: RoomFeed, message: ChatMessage): void {
    const id = BigInt(message.id);
    if (room.last !== undefined && id <= room.last) return;
    room.ahead.set(id, message);
    if (room.last === undefined) return;
    // Nobody here to keep in order for: skip to the newest instead of reading what nobody needs.
    if (room.members.size === 0 && !room.filling) {
      room.last = id;
      room.ahead.clear();
      return;
    }
    advance(room);
  }

  /** Reads the messages after the last delivered one from the database and delivers them in order. */
  async function fill(room: RoomFeed): Promise<void> {
    room.gapTimer = undefined;
    if (room.filling || room.last === undefined) return;
    room.filling = true;
    try {
      for (;;) {
        const after = room.last;
        const rows = await deps.chat.listMessages(room.id, {
          after: after.toString(),
          limit: FILL_BATCH,
          order: "oldest",
        });
        for (const row of rows) if (BigInt(row.id) > room.last) room.ahead.set(BigInt(row.id), row);
        advance(room);
        if (rows.length < FILL_BATCH) break;
      }
      // Still a hole (a message deleted by retention or with its room): jump it.
      const first = [...room.ahead.keys()].sort((a, b) => (a < b ? -1 : 1))[0];
      if (first !== undefined && first > room.last + 1n) {
        room.last = first - 1n;
        advance(room);
      }
    } catch (error) {
      deps.onError(error, "reading missed chat messages");
    } finally {
      room.filling = false;
    }
    if (room.ahead.size > 0) advance(room);
  }

  function received(room: RoomFeed, event: ChatEvent): void {
    if (event.kind === "message") {
      accept(room, event.message);
      return;
    }
    if (event.kind === "room_changed") {
      for (const connection of [...room.members.keys()]) connection.roomChanged(room.id);
      void restart(room);
      return;
    }
    const frame: PresenceFrame = {
      type: event.joined ? "user_joined" : "user_left",
      room_id: event.roomId,
      user_id: event.userId,
      user_name: event.userName,
    };
    send(room, undefined, encode(frame));
  }

  /**
   * A room deleted and created again numbers its messages from 1 again: when the store's newest
   * id is below what was delivered, start over from it instead of dropping the new ones.
   */
  async function restart(room: RoomFeed): Promise<void> {
    try {
      const [newest] = await deps.chat.listMessages(room.id, { limit: 1, order: "newest" });
      const id = newest ? BigInt(newest.id) : 0n;
      if (room.last !== undefined && id < room.last) {
        room.last = id;
        room.ahead.clear();
        for (const member of room.members.values()) member.cursor = id;
      }
    } catch (error) {
      deps.onError(error, "re-reading a changed chat room");
    }
  }

  function feedOf(roomId: string): RoomFeed {
    const existing = rooms.get(roomId);
    if (existing) return existing;
    const room: RoomFeed = {
      id: roomId,
      members: new Map(),
      last: undefined,
      ready: Promise.resolve(),
      ahead: new Map(),
      gapTimer: undefined,
      filling: false,
    };
    rooms.set(roomId, room);
    room.ready = (async () => {
      await deps.bus.subscribe(roomId, (event) => received(room, event));
      // Subscribed first, then the start point: nothing published in between is missed.
      const [newest] = await deps.chat.listMessages(roomId, { limit: 1, order: "newest" });
      room.last = newest ? BigInt(newest.id) : 0n;
      for (const id of [...room.ahead.keys()]) if (id <= room.last) room.ahead.delete(id);
      advance(room);
    })();
    room.ready.catch(() => rooms.delete(roomId));
    return room;
  }

  deps.bus.onResync(() => {
    for (const room of rooms.values()) if (room.members.size > 0) void fill(room);
  });

  async function replay(room: RoomFeed, connection: ChatConnection, member: Member, after: bigint) {
    const rows = await deps.chat.listMessages(room.id, {
      after: after.toString(),
      limit: deps.maxReplay,
      order: "newest",
    });
    rows.reverse();
    for (const row of rows) {
      const id = BigInt(row.id);
      if (id <= member.cursor) continue;
      member.cursor = id;
      connection.deliver(encode(toMessageFrame(row)));
    }
    const first = rows[0];
    return rows.length === deps.maxReplay && (first === undefined || BigInt(first.id) > after + 1n);
  }

  return {
    /** Registers an authorised socket; false when its user has as many sockets as allowed. */
    attach(connection: ChatConnection): boolean {
      if ((byUser.get(connection.userId)?.size ?? 0) >= deps.maxSocketsPerUser) return false;
      index(byUser, connection.userId, connection);
      index(bySid, connection.sid, connection);
      roomsOf.set(connection, new Set());
      return true;
    },

    /** After a re-authorisation with a token of another session. */
    sessionChanged(connection: ChatConnection, previousSid: string): void {
      unindex(bySid, previousSid, connection);
      index(bySid, connection.sid, connection);
    },

    /** Unregisters a socket; returns the rooms it was in. */
    detach(connection: ChatConnection): string[] {
      const joined = [...(roomsOf.get(connection) ?? [])];
      for (const roomId of joined) rooms.get(roomId)?.members.delete(connection);
      roomsOf.delete(connection);
      unindex(byUser, connection.userId, connection);
      unindex(bySid, connection.sid, connection);
      for (const roomId of joined) membershipChanged(roomId);
      return joined;
    },

    /**
     * Adds the socket to the room (replaying after `lastMessageId` first); access was checked.
     * `registered` runs the moment the socket is in the room, before any frame reaches it: the
     * socket's `connected` goes there. Sent earlier, a message stored between `connected` and
     * this node's first read of the room fell below the socket's start point and was never
     * delivered (the cross-node fan-out test lost its first message on a loaded machine).
     */
    async join(
      connection: ChatConnection,
      roomId: string,
      lastMessageId: string | undefined,
      registered: () => void = () => {},
    ): Promise<JoinOutcome> {
      const room = feedOf(roomId);
      await room.ready;
      const start = room.last ?? 0n;
      const from = lastMessageId === undefined ? start : BigInt(lastMessageId);
      const member: Member = { cursor: from < start ? from : start, pending: from < start ? [] : null };
      room.members.set(connection, member);
      roomsOf.get(connection)?.add(roomId);
      membershipChanged(roomId);
      registered();
      let replayTruncated = false;
      if (member.pending !== null) {
        try {
          replayTruncated = await replay(room, connection, member, from);
        } finally {
          const pending = member.pending;
          member.pending = null;
          for (const queued of pending) {
            if (queued.id === undefined) connection.deliver(queued.frame);
            else if (queued.id > member.cursor) {
              member.cursor = queued.id;
              connection.deliver(queued.frame);
            }
          }
        }
      }
      return { lastMessageId: member.cursor === 0n ? null : member.cursor.toString(), replayTruncated };
    },

    /** False when the socket was not in the room. */
    leave(connection: ChatConnection, roomId: string): boolean {
      roomsOf.get(connection)?.delete(roomId);
      const left = rooms.get(roomId)?.members.delete(connection) ?? false;
      if (left) membershipChanged(roomId);
      return left;
    },

    isIn(connection: ChatConnection, roomId: string): boolean {
      return roomsOf.get(connection)?.has(roomId) ?? false;
    },

    roomCount(connection: ChatConnection): number {
      return roomsOf.get(connection)?.size ?? 0;
    },

    /** Every registered socket (shutdown closes them). */
    connections(): ChatConnection[] {
      return [...roomsOf.keys()];
    },

    /** Calls `listener` with the room's id whenever a socket joins or leaves it (detach included). */
    onMembershipChange(listener: (roomId: string) => void): void {
      membershipListeners.push(listener);
    },

    /** The distinct users with a socket of this node joined to the room. */
    onlineUsers(roomId: string): string[] {
      const members = rooms.get(roomId)?.members.keys() ?? [];
      return [...new Set([...members].map((connection) => connection.userId))];
    },

    /** Distinct users per room on this node only (the cluster-wide count is `ChatPresenceSync`'s). */
    onlineCounts(): ReadonlyMap<string, number> {
      const counts = new Map<string, number>();
      for (const room of rooms.values()) {
        const users = new Set([...room.members.keys()].map((connection) => connection.userId));
        if (users.size > 0) counts.set(room.id, users.size);
      }
      return counts;
    },
  };
}

export type ChatHub = ReturnType<typeof makeChatHub>;
