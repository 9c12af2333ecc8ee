import type { ChatBus, ChatEvent, ChatMessage, MessageWindow, RevokedSessionsFeed } from "@gatehouse/domain";
import { describe, expect, it } from "vitest";
import { type ChatConnection, makeChatHub } from "./chat-hub.js";

/** A room's stored history, as the repository would answer it. */
class History {
  readonly rows: ChatMessage[] = [];
  reads = 0;
  add(id: number): ChatMessage {
    const message = {
      id: String(id),
      roomId: "general",
      senderId: "u",
      senderName: "U",
      content: `m${id}`,
      system: false,
      createdAt: new Date(0),
    };
    this.rows.push(message);
    return message;
  }
  async listMessages(_roomId: string, window: MessageWindow): Promise<ChatMessage[]> {
    this.reads += 1;
    let rows = this.rows.filter(
      (row) =>
        (window.after === undefined || BigInt(row.id) > BigInt(window.after)) &&
        (window.before === undefined || BigInt(row.id) < BigInt(window.before)),
    );
    rows = window.order === "newest" ? [...rows].reverse() : rows;
    return rows.slice(0, window.limit);
  }
}

/** A bus whose events the test hands over by hand (in any order, or not at all). */
class ManualBus implements ChatBus {
  listener: ((event: ChatEvent) => void) | undefined;
  resync: (() => void) | undefined;
  async subscribe(_roomId: string, listener: (event: ChatEvent) => void) {
    this.listener = listener;
  }
  async publish(_roomId: string, event: ChatEvent) {
    this.listener?.(event);
  }
  onResync(listener: () => void) {
    this.resync = listener;
  }
  message(message: ChatMessage) {
    this.listener?.({ kind: "message", message });
  }
}

class Feed implements RevokedSessionsFeed {
  listener: ((sids: readonly string[]) => void) | undefined;
  onRevoked(listener: (sids: readonly string[]) => void) {
    this.listener = listener;
    return () => undefined;
  }
}

const decoder = new TextDecoder();

class Connection implements ChatConnection {
  readonly received: Array<Record<string, unknown>> = [];
  revokedCalls = 0;
  constructor(
    readonly userId: string,
    public sid: string,
  ) {}
  deliver(frame: Uint8Array) {
    this.received.push(JSON.parse(decoder.decode(frame)) as Record<string, unknown>);
  }
  revoked() {
    this.revokedCalls += 1;
  }
  roomChanged() {}
  contents() {
    return this.received.map((frame) => frame.content);
  }
}

function setUp(maxSocketsPerUser = 5) {
  const history = new History();
  const bus = new ManualBus();
  const feed = new Feed();
  const hub = makeChatHub({
    chat: history,
    bus,
    revokedSessions: feed,
    maxSocketsPerUser,
    maxReplay: 3,
    gapWaitMs: 5,
    onError: (error) => {
      throw error;
    },
  });
  return { history, bus, feed, hub };
}

const settle = (ms = 30) => new Promise((resolve) => setTimeout(resolve, ms));

describe("chat hub", () => {
  it("delivers a room's messages once and in order, reading a gap from the store", async () => {
    const { history, bus, hub } = setUp();
    const socket = new Connection("u1", "s1");
    hub.attach(socket);
    await hub.join(socket, "general", undefined);
    const [m1, m2, m3] = [history.add(1), history.add(2), history.add(3)];
    bus.message(m1 as ChatMessage);
    bus.message(m3 as ChatMessage); // m2 is late
    expect(socket.contents()).toEqual(["m1"]);
    bus.message(m2 as ChatMessage);
    bus.message(m1 as ChatMessage); // a duplicate
    expect(socket.contents()).toEqual(["m1", "m2", "m3"]);

    // m5 arrives, m4's publish was lost: after a short wait m4 comes from the store.
    const m4 = history.add(4);
    const m5 = history.add(5);
    bus.message(m5);
    await settle();
    expect(socket.contents()).toEqual(["m1", "m2", "m3", "m4", "m5"]);
    bus.message(m4);
    expect(socket.contents()).toHaveLength(5);
  });

  it("announces a join only once the socket is in the room (regression: a first message lost across nodes)", async () => {
    const { history, bus, hub } = setUp();
    const socket = new Connection("u1", "s1");
    hub.attach(socket);
    let inRoomWhenAnnounced = false;
    await hub.join(socket, "general", undefined, () => {
      inRoomWhenAnnounced = hub.isIn(socket, "general");
    });
    expect(inRoomWhenAnnounced).toBe(true);
    // A message stored after the announcement is above the socket's start point: delivered.
    bus.message(history.add(1));
    expect(socket.contents()).toEqual(["m1"]);
  });

  it("replays after last_message_id, then goes live without repeating anything", async () => {
    const { history, bus, hub } = setUp();
    for (let id = 1; id <= 4; id += 1) history.add(id);
    const socket = new Connection("u1", "s1");
    hub.attach(socket);
    await hub.join(socket, "general", "2");
    expect(socket.contents()).toEqual(["m3", "m4"]);
    bus.message(history.add(5));
    expect(socket.contents()).toEqual(["m3", "m4", "m5"]);
  });

  it("replays at most maxReplay, the newest ones, so live delivery follows without a gap", async () => {
    const { history, hub } = setUp();
    for (let id = 1; id <= 6; id += 1) history.add(id);
    const socket = new Connection("u1", "s1");
    hub.attach(socket);
    const outcome = await hub.join(socket, "general", "1");
    expect(socket.contents()).toEqual(["m4", "m5", "m6"]);
    expect(outcome).toEqual({ lastMessageId: "6", replayTruncated: true });
  });

  it("reads what was missed after the bus reconnects", async () => {
    const { history, bus, hub } = setUp();
    const socket = new Connection("u1", "s1");
    hub.attach(socket);
    await hub.join(socket, "general", undefined);
    history.add(1);
    history.add(2);
    bus.resync?.();
    await settle();
    expect(socket.contents()).toEqual(["m1", "m2"]);
  });

  it("limits sockets per user and tells the sockets of a revoked session only", async () => {
    const { feed, hub } = setUp(2);
    const a = new Connection("u1", "s1");
    const b = new Connection("u1", "s2");
    expect(hub.attach(a)).toBe(true);
    expect(hub.attach(b)).toBe(true);
    expect(hub.attach(new Connection("u1", "s3"))).toBe(false);
    expect(hub.attach(new Connection("u2", "s4"))).toBe(true);
    feed.listener?.(["s2", "unknown"]);
    expect([a.revokedCalls, b.revokedCalls]).toEqual([0, 1]);
    // A re-authorisation into another session moves the socket in the index.
    a.sid = "s9";
    hub.sessionChanged(a, "s1");
    feed.listener?.(["s1"]);
    expect(a.revokedCalls).toBe(0);
    feed.listener?.(["s9"]);
    expect(a.revokedCalls).toBe(1);
    hub.detach(b);
    expect(hub.attach(new Connection("u1", "s5"))).toBe(true);
  });

  it("starts a room over when it was deleted and created again (its ids restart at 1)", async () => {
    const { history, bus, hub } = setUp();
    for (let id = 1; id <= 3; id += 1) bus.message(history.add(id));
    const socket = new Connection("u1", "s1");
    hub.attach(socket);
    await hub.join(socket, "general", undefined);
    bus.message(history.add(4));
    history.rows.length = 0;
    bus.listener?.({ kind: "room_changed", roomId: "general" });
    await settle();
    bus.message(history.add(1));
    expect(socket.contents()).toEqual(["m4", "m1"]);
  });

  it("counts distinct online users per room", async () => {
    const { hub } = setUp();
    const sockets = [new Connection("u1", "s1"), new Connection("u1", "s2"), new Connection("u2", "s3")];
    for (const socket of sockets) {
      hub.attach(socket);
      await hub.join(socket, "general", undefined);
    }
    expect(hub.onlineCounts().get("general")).toBe(2);
    hub.leave(sockets[2] as Connection, "general");
    expect(hub.onlineCounts().get("general")).toBe(1);
  });

  it("reports each join, leave and detach to membership listeners, with the room's distinct users", async () => {
    const { hub } = setUp();
    const changes: Array<[string, string[]]> = [];
    hub.onMembershipChange((roomId) => changes.push([roomId, hub.onlineUsers(roomId).sort()]));
    const [a, b] = [new Connection("u1", "s1"), new Connection("u2", "s2")];
    hub.attach(a);
    hub.attach(b);
    await hub.join(a, "general", undefined);
    await hub.join(b, "general", undefined);
    expect(hub.leave(a, "other")).toBe(false);
    hub.leave(b, "general");
    hub.detach(a);
    expect(changes).toEqual([
      ["general", ["u1"]],
      ["general", ["u1", "u2"]],
      ["general", ["u1"]],
      ["general", []],
    ]);
  });
});
