import type { ChatPresenceBoard } from "@gatehouse/domain";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { makeChatPresenceSync } from "./chat-presence-sync.js";

/** The hub's side of presence: who is in which room here, and the change listener. */
class FakeHub {
  readonly users = new Map<string, string[]>();
  private listener: ((roomId: string) => void) | undefined;
  onMembershipChange(listener: (roomId: string) => void) {
    this.listener = listener;
  }
  onlineUsers(roomId: string): string[] {
    return this.users.get(roomId) ?? [];
  }
  onlineCounts(): ReadonlyMap<string, number> {
    return new Map([...this.users].map(([roomId, users]) => [roomId, users.length]));
  }
  set(roomId: string, users: string[]) {
    this.users.set(roomId, users);
    this.listener?.(roomId);
  }
}

/** Records every publish; answers counts from what it was told, or fails while `down`. */
class FakeBoard implements ChatPresenceBoard {
  readonly ttlMs = 3000;
  readonly published: Array<[string, readonly string[]]> = [];
  readonly counts = new Map<string, number>();
  down = false;
  async publish(roomId: string, userIds: readonly string[]) {
    if (this.down) throw new Error("board down");
    this.published.push([roomId, [...userIds]]);
  }
  async onlineCounts(roomIds: readonly string[]) {
    if (this.down) throw new Error("board down");
    return new Map(roomIds.map((id) => [id, this.counts.get(id) ?? 0]));
  }
}

describe("makeChatPresenceSync", () => {
  let hub: FakeHub;
  let board: FakeBoard;
  let errors: string[];
  const start = () => makeChatPresenceSync({ hub, board, onError: (_error, what) => errors.push(what) });

  beforeEach(() => {
    vi.useFakeTimers();
    hub = new FakeHub();
    board = new FakeBoard();
    errors = [];
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("publishes a burst of changes to a room once, after the debounce, with the room's users then", async () => {
    start();
    hub.set("general", ["u1"]);
    hub.set("general", ["u1", "u2"]);
    hub.set("other", ["u3"]);
    await vi.advanceTimersByTimeAsync(249);
    expect(board.published).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(board.published).toEqual([
      ["general", ["u1", "u2"]],
      ["other", ["u3"]],
    ]);
  });

  it("renews every room it holds users in each heartbeat (a third of the TTL) and lets an emptied room go", async () => {
    start();
    hub.set("general", ["u1"]);
    hub.set("other", ["u2"]);
    await vi.advanceTimersByTimeAsync(250);
    hub.set("other", []);
    await vi.advanceTimersByTimeAsync(250);
    board.published.length = 0;
    await vi.advanceTimersByTimeAsync(1000 - 500);
    expect(board.published).toEqual([["general", ["u1"]]]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(board.published).toEqual([
      ["general", ["u1"]],
      ["general", ["u1"]],
    ]);
  });

  it("retries a publish that failed on the next heartbeat, reporting the outage once", async () => {
    start();
    board.down = true;
    hub.set("general", ["u1"]);
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(1000);
    expect(errors).toEqual(["publishing chat presence"]);
    board.down = false;
    await vi.advanceTimersByTimeAsync(1000);
    expect(board.published).toEqual([["general", ["u1"]]]);
  });

  it("counts from the board, never below this node's own, and falls back to its own while the board is down", async () => {
    const sync = start();
    hub.set("general", ["u1", "u2"]);
    hub.set("other", ["u1"]);
    board.counts.set("general", 5);
    expect(Object.fromEntries(await sync.onlineCounts(["general", "other", "empty"]))).toEqual({
      general: 5,
      other: 1,
      empty: 0,
    });
    board.down = true;
    expect(Object.fromEntries(await sync.onlineCounts(["general", "other"]))).toEqual({ general: 2, other: 1 });
    await sync.onlineCounts(["general"]);
    expect(errors).toEqual(["reading chat presence"]);
  });

  it("on stop removes this node's entry from every room it published and publishes nothing after", async () => {
    const sync = start();
    hub.set("general", ["u1"]);
    hub.set("other", ["u2"]);
    await vi.advanceTimersByTimeAsync(250);
    board.published.length = 0;
    await sync.stop();
    expect(board.published).toEqual([
      ["general", []],
      ["other", []],
    ]);
    hub.set("general", ["u1", "u3"]);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(board.published).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0);
  });
});
