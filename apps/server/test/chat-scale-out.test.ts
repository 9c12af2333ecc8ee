import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatClient, type Frame, isType } from "./support/chat-client.js";
import { eventually, type NodeCluster, nodeClusterMissing, signUp, startNodeCluster } from "./support/node-cluster.js";

const missing = nodeClusterMissing();
if (missing !== undefined) console.warn(`chat scale-out tests skipped: ${missing}`);

const userMessages = (client: ChatClient, room: string) => client.messages(room).map((f: Frame) => f.content);

describe.skipIf(missing !== undefined)("chat across 3 server processes, one PostgreSQL, one Redis", () => {
  let cluster: NodeCluster;
  beforeAll(async () => {
    // The send rate is a limit of its own (tested on one node); here it must not refuse a stream.
    cluster = await startNodeCluster({ count: 3, env: { CHAT_SEND_RATE_LIMIT: "10000" } });
  }, 120_000);
  afterAll(() => cluster?.close());

  const node = (index: number) => cluster.nodes[index] as NodeCluster["nodes"][number];
  const wsUrl = (index: number) => `${node(index).baseUrl.replace(/^http/, "ws")}/api/v1/chat/ws`;
  const joined = async (index: number, token: string, room = "general", lastMessageId?: string) => {
    const client = await ChatClient.open(wsUrl(index), { token });
    await client.join(room, lastMessageId);
    return client;
  };

  it("a message sent on A reaches sockets on B and C, once and in order", async () => {
    const sender = await signUp(node(0), "fanout");
    const a = await joined(0, sender.accessToken);
    const b = await joined(1, sender.accessToken);
    const c = await joined(2, sender.accessToken);
    for (let i = 0; i < 20; i += 1) a.send({ type: "message", room_id: "general", content: `f${i}` });
    const expected = Array.from({ length: 20 }, (_, i) => `f${i}`);
    for (const client of [a, b, c]) {
      await client.next((f) => f.content === "f19", 5000);
      expect(userMessages(client, "general").filter((content) => String(content).startsWith("f"))).toEqual(expected);
    }
    for (const client of [a, b, c]) client.close();
  });

  it("resumes on another node with last_message_id: the missed messages from PostgreSQL, then live", async () => {
    const writer = await signUp(node(0), "writer");
    const reader = await signUp(node(0), "reader");
    const w = await joined(0, writer.accessToken);
    const first = await joined(1, reader.accessToken);
    w.send({ type: "message", room_id: "general", content: "x0" });
    const seen = await first.next((f) => f.content === "x0", 5000);
    first.close();
    await first.closed;
    for (const content of ["x1", "x2", "x3"]) w.send({ type: "message", room_id: "general", content });
    await w.next((f) => f.content === "x3");
    const resumed = await joined(2, reader.accessToken, "general", String(seen.id));
    w.send({ type: "message", room_id: "general", content: "x4" });
    await resumed.next((f) => f.content === "x4", 5000);
    expect(userMessages(resumed, "general").filter((content) => String(content).startsWith("x"))).toEqual([
      "x1",
      "x2",
      "x3",
      "x4",
    ]);
    w.close();
    resumed.close();
  });

  it("a logout on A closes that session's sockets on A, B and C within a second", async () => {
    const session = await signUp(node(0), "revoked");
    const clients = [
      await joined(0, session.accessToken),
      await joined(1, session.accessToken),
      await joined(2, session.accessToken),
    ];
    const logout = await node(0).request("POST", "/api/v1/auth/logout", { token: session.accessToken, body: {} });
    expect(logout.status).toBe(200);
    const deadline = new Promise<number>((_, reject) =>
      setTimeout(() => reject(new Error("still open after 1 s")), 1000),
    );
    expect(await Promise.all(clients.map((client) => Promise.race([client.closed, deadline])))).toEqual([
      4401, 4401, 4401,
    ]);
  });

  it("with Redis down each node serves its own sockets and history; when Redis returns the missed messages arrive", async () => {
    const user = await signUp(node(0), "degraded");
    const a = await joined(0, user.accessToken);
    const b = await joined(1, user.accessToken);
    await cluster.redis.stop();
    try {
      a.send({ type: "message", room_id: "general", content: "while-down" });
      await a.next((f) => f.content === "while-down", 5000);
      const history = await node(1).request("GET", "/api/v1/chat/rooms/general/messages?limit=5", {
        token: user.accessToken,
      });
      expect(history.status).toBe(200);
      expect(history.body.data.messages.map((m: { content: string }) => m.content)).toContain("while-down");
    } finally {
      await cluster.redis.start();
    }
    // B missed the publish; after the reconnect it reads the gap from PostgreSQL.
    await b.next((f) => f.content === "while-down", 20_000);
    await eventually(
      async () => {
        a.send({ type: "message", room_id: "general", content: `after-${Date.now()}` });
        await new Promise((resolve) => setTimeout(resolve, 200));
        return b.messages("general").some((f) => String(f.content).startsWith("after-"));
      },
      (arrived) => arrived,
      "live fan-out after Redis returned",
    );
    expect(b.frames.filter(isType("message")).filter((f) => f.content === "while-down")).toHaveLength(1);
    a.close();
    b.close();
  });

  // Last: B stays dead afterwards.
  it("a node killed mid-stream: its client resumes on another node with no gap and no duplicate", async () => {
    const writer = await signUp(node(0), "stream");
    const reader = await signUp(node(0), "victim");
    const w = await joined(0, writer.accessToken, "general");
    const onB = await joined(1, reader.accessToken, "general");
    let sent = 0;
    const sending = setInterval(() => {
      w.send({ type: "message", room_id: "general", content: `k${sent}` });
      sent += 1;
    }, 50);
    try {
      await onB.next((f) => f.content === "k5", 5000);
      await cluster.kill(1);
      await onB.closed;
      const seen = onB.messages("general").filter((f) => String(f.content).startsWith("k"));
      const last = seen.at(-1);
      const resumed = await joined(2, reader.accessToken, "general", String(last?.id));
      const target = `k${sent + 5}`;
      await resumed.next((f) => f.content === target, 10_000);
      clearInterval(sending);
      const contents = [...seen, ...resumed.messages("general")]
        .map((f) => String(f.content))
        .filter((content) => content.startsWith("k"));
      const upTo = contents.indexOf(target) + 1;
      expect(contents.slice(0, upTo)).toEqual(Array.from({ length: upTo }, (_, i) => `k${i}`));
      resumed.close();
    } finally {
      clearInterval(sending);
      w.close();
    }
  });
});
