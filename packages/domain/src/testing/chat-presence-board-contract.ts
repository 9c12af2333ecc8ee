import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatPresenceBoard } from "../ports/chat-presence-board.js";

/** One adapter of `ChatPresenceBoard` under the contract: boards that share one store. */
export interface PresenceBoardHarness {
  /** A new node: its own board object on the shared store, with leases of `ttlMs`. */
  node(ttlMs: number): ChatPresenceBoard;
  /** Lets `ms` pass (a fake clock moves; a real store is waited for). */
  elapse(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** Long enough that no case runs out of it by accident, even on a loaded machine. */
const LONG_TTL_MS = 60_000;
/** The TTL case: short, with a margin on both sides of each lease for a slow store. */
const SHORT_TTL_MS = 1000;

let rooms = 0;
// Unique per run as well as per case: the Redis board may share a store with earlier runs.
const room = () => `room-${Date.now().toString(36)}-${(++rooms).toString(36)}`;
const counts = async (board: ChatPresenceBoard, ...rooms: string[]) =>
  Object.fromEntries(await board.onlineCounts(rooms));

/**
 * The `ChatPresenceBoard` contract: a node's publish replaces its own entry only, counts are
 * distinct users over every node, a lease not renewed within the TTL stops counting, and rooms
 * never see each other's users.
 */
export function chatPresenceBoardContract(name: string, open: () => Promise<PresenceBoardHarness>): void {
  describe(`ChatPresenceBoard contract on ${name}`, () => {
    let harness: PresenceBoardHarness;
    beforeAll(async () => {
      harness = await open();
    });
    afterAll(async () => {
      await harness.close();
    });

    it("replaces a node's entry on each publish and removes it on an empty one", async () => {
      const board = harness.node(LONG_TTL_MS);
      const id = room();
      await board.publish(id, ["u1", "u2", "u2"]);
      expect(await counts(board, id)).toEqual({ [id]: 2 });
      await board.publish(id, ["u3"]);
      expect(await counts(board, id)).toEqual({ [id]: 1 });
      await board.publish(id, []);
      expect(await counts(board, id)).toEqual({ [id]: 0 });
    });

    it("counts distinct users over every node, and a node's removal leaves the others", async () => {
      const a = harness.node(LONG_TTL_MS);
      const b = harness.node(LONG_TTL_MS);
      const id = room();
      await a.publish(id, ["u1", "u2"]);
      await b.publish(id, ["u2", "u3"]);
      expect(await counts(a, id)).toEqual({ [id]: 3 });
      expect(await counts(b, id)).toEqual({ [id]: 3 });
      await b.publish(id, []);
      expect(await counts(b, id)).toEqual({ [id]: 2 });
      await a.publish(id, ["u3"]);
      expect(await counts(b, id)).toEqual({ [id]: 1 });
    });

    it("drops a node whose lease was not renewed within the TTL, and keeps one that was", async () => {
      const gone = harness.node(SHORT_TTL_MS);
      const alive = harness.node(SHORT_TTL_MS);
      const id = room();
      await gone.publish(id, ["u1", "u2"]);
      await alive.publish(id, ["u2", "u3"]);
      expect(await counts(alive, id)).toEqual({ [id]: 3 });
      await harness.elapse(SHORT_TTL_MS / 2);
      await alive.publish(id, ["u2", "u3"]);
      // 1.2 TTL after `gone` published, 0.7 TTL after `alive` renewed.
      await harness.elapse(SHORT_TTL_MS * 0.7);
      expect(await counts(alive, id)).toEqual({ [id]: 2 });
      await harness.elapse(SHORT_TTL_MS * 0.6);
      expect(await counts(alive, id)).toEqual({ [id]: 0 });
    });

    it("keeps rooms apart and maps a room nobody is in to 0", async () => {
      const board = harness.node(LONG_TTL_MS);
      const [one, two, empty] = [room(), room(), room()];
      await board.publish(one, ["u1"]);
      await board.publish(two, ["u1", "u2"]);
      expect(await counts(board, one, two, empty)).toEqual({ [one]: 1, [two]: 2, [empty]: 0 });
      await board.publish(two, []);
      expect(await counts(board, one, two)).toEqual({ [one]: 1, [two]: 0 });
    });

    it("answers an empty list of rooms with an empty map and accepts removing what was never published", async () => {
      const board = harness.node(LONG_TTL_MS);
      expect((await board.onlineCounts([])).size).toBe(0);
      const id = room();
      await board.publish(id, []);
      expect(await counts(board, id)).toEqual({ [id]: 0 });
    });
  });
}
