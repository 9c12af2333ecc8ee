import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatClient } from "./support/chat-client.js";
import { type NodeCluster, nodeClusterMissing, signUp, startNodeCluster } from "./support/node-cluster.js";

const missing = nodeClusterMissing();
if (missing !== undefined) console.warn(`chat presence scale-out tests skipped: ${missing}`);

/** The lease of a node's presence entry in this file: short, so a killed node's users leave quickly. */
const TTL_SECONDS = 3;

describe.skipIf(missing !== undefined)("chat presence across 3 server processes sharing one Redis", () => {
  let cluster: NodeCluster;
  let token: string;
  beforeAll(async () => {
    cluster = await startNodeCluster({ count: 3, env: { CHAT_PRESENCE_TTL_SECONDS: String(TTL_SECONDS) } });
    token = (await signUp(node(0), "lister")).accessToken;
  }, 120_000);
  afterAll(() => cluster?.close());

  const node = (index: number) => cluster.nodes[index] as NodeCluster["nodes"][number];
  const joined = async (index: number, userToken: string) => {
    const client = await ChatClient.open(`${node(index).baseUrl.replace(/^http/, "ws")}/api/v1/chat/ws`, {
      token: userToken,
    });
    await client.join("general");
    return client;
  };
  /** `general`'s online_count as node `index` answers it. */
  const onlineOn = async (index: number): Promise<number> => {
    const listed = await node(index).request("GET", "/api/v1/chat/rooms", { token });
    expect(listed.status).toBe(200);
    return listed.body.data.find((room: { id: string }) => room.id === "general").online_count;
  };
  /** Polls every node in `indexes` until each reports `count`, within `ms`; returns how long it took. */
  const converges = async (indexes: number[], count: number, ms: number): Promise<number> => {
    const started = Date.now();
    let last: number[] = [];
    while (Date.now() - started < ms) {
      last = await Promise.all(indexes.map(onlineOn));
      if (last.every((seen) => seen === count)) return Date.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`online_count did not reach ${count} on nodes ${indexes} within ${ms} ms: last ${last}`);
  };

  let sockets: Record<"oneOnA" | "oneOnC" | "twoOnB" | "threeOnC", ChatClient>;
  let twoToken: string;

  it("counts distinct users with sockets on any node, whichever node answers", async () => {
    const [one, two, three] = await Promise.all([
      signUp(node(0), "one"),
      signUp(node(0), "two"),
      signUp(node(0), "three"),
    ]);
    twoToken = two.accessToken;
    sockets = {
      oneOnA: await joined(0, one.accessToken),
      // The same user on a second node counts once.
      oneOnC: await joined(2, one.accessToken),
      twoOnB: await joined(1, two.accessToken),
      threeOnC: await joined(2, three.accessToken),
    };
    await converges([0, 1, 2], 3, 2000);
  });

  it("drops a user who left the room from every node's count", async () => {
    sockets.twoOnB.send({ type: "disconnect", room_id: "general" });
    await sockets.twoOnB.next((f) => f.type === "disconnected");
    await converges([0, 1, 2], 2, 2000);
  });

  it("with Redis down answers each node's own count, and shares again once it is back", async () => {
    await cluster.redis.stop();
    try {
      // A has `one`; B nobody any more; C has `one` and `three`: never an error, only a narrower view.
      await converges([0], 1, 2000);
      await converges([1], 0, 2000);
      await converges([2], 2, 2000);
    } finally {
      await cluster.redis.start();
    }
    // The entries went with the Redis process; the heartbeats (a third of the TTL) write them again.
    await converges([0, 1, 2], 2, TTL_SECONDS * 1000 + 5000);
  });

  it("takes a gracefully stopped node's users off at shutdown, without waiting for their lease", async () => {
    sockets.twoOnB = await joined(1, twoToken);
    await converges([0, 1, 2], 3, 2000);
    await cluster.kill(1, "SIGTERM");
    // Its lease was renewed at most a third of the TTL ago: only the shutdown's removal is this quick.
    expect(await converges([0, 2], 2, 1500)).toBeLessThan(1500);
  });

  it("keeps a SIGKILLed node's users until their lease runs out, then only the live nodes' count", async () => {
    await cluster.kill(2);
    const killedAt = Date.now();
    // `one` still has a socket on A; `three` was only on the dead C and counts until the TTL passes.
    expect(await onlineOn(0)).toBe(2);
    const took = await converges([0], 1, TTL_SECONDS * 1000 + 2000);
    expect(Date.now() - killedAt).toBeGreaterThan(1000);
    expect(took).toBeLessThanOrEqual(TTL_SECONDS * 1000 + 2000);
    sockets.oneOnA.close();
  });
});
