import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { loadConfig, makeSignedAccessTokens } from "@gatehouse/infrastructure";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { ChatClient, type Frame, isType } from "./support/chat-client.js";
import { registerAndLogIn, type Session, send } from "./support/http.js";
import { BOOTSTRAP_ENV, logInRoot, must } from "./support/rbac.js";
import { startTestServer, TEST_JWT_SECRET, type TestServer, uniqueUser } from "./support/test-server.js";

const SYSTEM_ID = "00000000-0000-0000-0000-000000000000";

async function listening(env: Record<string, string> = {}) {
  const t = await startTestServer({ ...BOOTSTRAP_ENV, ...env });
  await t.app.listen({ port: 0, host: "127.0.0.1" });
  const base = `ws://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  return { t, url: `${base}/api/v1/chat/ws`, base };
}

const systemSays = (text: string) => (f: Frame) => f.sender_name === "System" && String(f.content).includes(text);

describe("the chat WebSocket protocol", () => {
  let t: TestServer;
  let url: string;
  let base: string;
  let alice: Session;
  let bob: Session;
  let aliceName: string;
  let bobName: string;

  beforeAll(async () => {
    ({ t, url, base } = await listening());
    const a = uniqueUser("alice");
    const b = uniqueUser("bob");
    aliceName = a.username;
    bobName = b.username;
    alice = await registerAndLogIn(t, a);
    bob = await registerAndLogIn(t, b);
  });
  afterAll(async () => {
    await t.close();
  });

  it("authorises by first message and by the upgrade's Bearer header, on every path", async () => {
    for (const path of ["/api/v1/chat/ws", "/api/chat/ws", "/api/ws/chat"]) {
      const byMessage = await ChatClient.open(`${base}${path}`, { token: alice.accessToken });
      expect(await byMessage.next(isType("authenticated"))).toMatchObject({ user_id: alice.userId });
      byMessage.close();
    }
    const byHeader = await ChatClient.open(url, { token: bob.accessToken, header: true });
    expect(await byHeader.next(isType("authenticated"))).toMatchObject({ user_id: bob.userId });
    byHeader.close();
  });

  it("refuses a token in the query string by default, and a bad token, with close 4401", async () => {
    const query = await ChatClient.open(`${url}?token=${alice.accessToken}`);
    expect(await query.closed).toBe(4401);
    const bad = await ChatClient.open(url, { token: "not-a-jwt" });
    const error = await bad.next(isType("error")).catch(() => undefined);
    expect(await bad.closed).toBe(4401);
    if (error) expect(error.code).toBe("INVALID_TOKEN");
  });

  it("answers frames before authorization and malformed frames with error frames", async () => {
    const client = await ChatClient.open(url);
    client.send({ type: "connect", room_id: "general" });
    expect(await client.next(isType("error"))).toMatchObject({ code: "NOT_AUTHENTICATED", error: expect.any(String) });
    client.send({ type: "authorization", token: alice.accessToken });
    await client.next(isType("authenticated"));
    client.send("{not json");
    await client.next((f) => f.code === "INVALID_FRAME");
    client.send({ type: "dance" });
    await client.next((f) => f.code === "UNKNOWN_FRAME_TYPE");
    client.send({ type: "message", room_id: "general", content: "hi" });
    expect(await client.next((f) => f.code === "NOT_IN_ROOM")).toMatchObject({ error: "Not connected to this room" });
    client.send({ type: "connect", room_id: "no-such-room" });
    await client.next((f) => f.code === "NOT_FOUND");
    expect(client.closeCode).toBeUndefined();
    client.close();
  });

  it("joins, relays messages in the documented shape, announces joins and leaves, and ignores a spoofed user_id", async () => {
    const a = await ChatClient.open(url, { token: alice.accessToken });
    await a.join("general");
    const b = await ChatClient.open(url, { token: bob.accessToken });
    await b.next(isType("authenticated"));
    // Bob claims to be Alice: the server acts for the token's subject.
    b.send({ type: "connect", room_id: "general", user_id: alice.userId });
    await b.next(isType("connected"));
    const joined = await a.next(systemSays(`${bobName} has joined the chat`));
    expect(joined).toMatchObject({ sender_id: SYSTEM_ID, sender_name: "System", room_id: "general" });
    expect(await a.next((f) => f.type === "user_joined" && f.user_id === bob.userId)).toMatchObject({
      room_id: "general",
      user_name: bobName,
    });

    b.send({ type: "message", room_id: "general", content: "Hello everyone!", user_id: alice.userId });
    const received = await a.next((f) => f.content === "Hello everyone!");
    expect(received).toEqual({
      type: "message",
      id: expect.stringMatching(/^[0-9]+$/),
      sender_id: bob.userId,
      sender_name: bobName,
      content: "Hello everyone!",
      room_id: "general",
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(await b.next((f) => f.content === "Hello everyone!")).toEqual(received);

    b.send({ type: "disconnect", room_id: "general", user_id: alice.userId });
    expect(await b.next(isType("disconnected"))).toEqual({ type: "disconnected", room_id: "general" });
    await a.next(systemSays(`${bobName} has left the chat`));
    await a.next((f) => f.type === "user_left" && f.user_id === bob.userId);
    expect(a.frames.some(systemSays(`${aliceName} has left`))).toBe(false);
    a.close();
    b.close();
  });

  it("resumes with last_message_id: what was missed, in order, then live, with no duplicate", async () => {
    const writer = await ChatClient.open(url, { token: bob.accessToken });
    await writer.join("general");
    const reader = await ChatClient.open(url, { token: alice.accessToken });
    await reader.join("general");
    writer.send({ type: "message", room_id: "general", content: "r0" });
    const seen = await reader.next((f) => f.content === "r0");
    reader.close();
    await reader.closed;
    for (const content of ["r1", "r2", "r3"]) writer.send({ type: "message", room_id: "general", content });
    await writer.next((f) => f.content === "r3");

    const again = await ChatClient.open(url, { token: alice.accessToken });
    await again.join("general", String(seen.id));
    writer.send({ type: "message", room_id: "general", content: "r4" });
    await again.next((f) => f.content === "r4");
    const contents = again.messages("general").map((f) => f.content);
    expect(contents).toEqual(["r1", "r2", "r3", "r4"]);
    const ids = again.frames.filter((f) => f.type === "message").map((f) => BigInt(String(f.id)));
    expect(ids).toEqual([...new Set(ids)].sort((x, y) => (x < y ? -1 : 1)));
    again.close();
    writer.close();
  });

  it("refuses private rooms to non-members as if they did not exist", async () => {
    const root = await logInRoot(t);
    await must(
      send(t, "POST", "/api/v1/chat/rooms", { id: "inner", name: "Inner", is_private: true }, root.accessToken),
      201,
    );
    const outsider = await ChatClient.open(url, { token: bob.accessToken });
    await outsider.next(isType("authenticated"));
    outsider.send({ type: "connect", room_id: "inner" });
    expect(await outsider.next(isType("error"))).toMatchObject({ code: "NOT_FOUND" });
    outsider.close();
  });

  it("closes a socket 4401 when its token expires, unless a fresh token is sent on the open socket", async () => {
    const config = loadConfig({ JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: "silent" });
    const shortLived = await makeSignedAccessTokens({
      secret: new TextEncoder().encode(TEST_JWT_SECRET),
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      accessTokenTtlSeconds: 2,
      clockToleranceSeconds: 0,
    });
    const token = async () =>
      (
        await shortLived.issue({
          userId: alice.userId,
          sid: randomUUID(),
          roles: ["user"],
          permissions: [],
          assurance: { amr: ["pwd"], acr: "aal1", authTime: new Date() },
        })
      ).token;
    const expiring = await ChatClient.open(url, { token: await token() });
    const renewed = await ChatClient.open(url, { token: await token() });
    await expiring.next(isType("authenticated"));
    await renewed.next(isType("authenticated"));
    renewed.send({ type: "authorization", token: alice.accessToken });
    await renewed.next((f) => f.type === "authenticated", 3000, 1);
    expect(await expiring.closed).toBe(4401);
    expect(expiring.closeReason).toBe("token expired");
    expect(renewed.closeCode).toBeUndefined();
    // Another user's token does not take over an open socket.
    renewed.send({ type: "authorization", token: bob.accessToken });
    expect(await renewed.next(isType("error"))).toMatchObject({ code: "FORBIDDEN" });
    renewed.close();
  });
});

describe("chat limits", () => {
  let t: TestServer;
  let url: string;
  let user: Session;

  beforeAll(async () => {
    ({ t, url } = await listening({
      CHAT_AUTH_TIMEOUT_MS: "300",
      CHAT_MAX_MESSAGE_LENGTH: "10",
      CHAT_SEND_RATE_LIMIT: "3",
      CHAT_SEND_RATE_WINDOW_SECONDS: "60",
      CHAT_MAX_ROOMS_PER_SOCKET: "1",
      CHAT_MAX_SOCKETS_PER_USER: "2",
      CHAT_MAX_FRAME_BYTES: "1024",
      CHAT_MAX_INVALID_FRAMES_PER_MINUTE: "3",
      CHAT_HEARTBEAT_MS: "200",
      CHAT_ALLOW_QUERY_TOKEN: "true",
    }));
    user = await registerAndLogIn(t, uniqueUser("limits"));
  });
  afterAll(async () => {
    // The last test shut the server down already; closing twice only fails on the closed database.
    await t.close().catch(() => undefined);
  });

  it("closes a socket that does not authorise in time with 4401", async () => {
    const silent = await ChatClient.open(url);
    expect(await silent.closed).toBe(4401);
    expect(silent.closeReason).toBe("authorization required");
  });

  it("accepts ?token= when CHAT_ALLOW_QUERY_TOKEN is on", async () => {
    const query = await ChatClient.open(`${url}?token=${user.accessToken}`);
    expect(await query.next(isType("authenticated"))).toMatchObject({ user_id: user.userId });
    query.close();
    await query.closed;
  });

  it("checks content length and the send rate with error frames, not a disconnect", async () => {
    const other = await registerAndLogIn(t, uniqueUser("rate"));
    const client = await ChatClient.open(url, { token: other.accessToken });
    await client.join("general");
    client.send({ type: "message", room_id: "general", content: "" });
    client.send({ type: "message", room_id: "general", content: "x".repeat(11) });
    await client.next((f) => f.code === "VALIDATION_ERROR");
    await client.next((f) => f.code === "VALIDATION_ERROR", 3000, client.frames.findIndex((f) => f.code) + 1);
    for (let i = 0; i < 4; i += 1) client.send({ type: "message", room_id: "general", content: `ok${i}` });
    const limited = await client.next((f) => f.code === "RATE_LIMIT_EXCEEDED");
    expect(limited.type).toBe("error");
    expect(client.messages("general").map((f) => f.content)).toEqual(["ok0", "ok1", "ok2"]);
    client.send({ type: "connect", room_id: "second" });
    await client.next((f) => f.code === "TOO_MANY_ROOMS");
    expect(client.closeCode).toBeUndefined();
    client.close();
    await client.closed;
  });

  it("limits sockets per user (1008) and frame size (1009), and closes repeated abuse with 1008", async () => {
    const first = await ChatClient.open(url, { token: user.accessToken });
    const second = await ChatClient.open(url, { token: user.accessToken });
    await first.next(isType("authenticated"));
    await second.next(isType("authenticated"));
    const third = await ChatClient.open(url, { token: user.accessToken });
    expect(await third.closed).toBe(1008);
    first.send(JSON.stringify({ type: "message", room_id: "general", content: "x".repeat(2000) }));
    expect(await first.closed).toBe(1009);
    for (let i = 0; i < 5; i += 1) second.send("garbage");
    expect(await second.closed).toBe(1008);
  });

  it("closes a socket that misses two pongs", async () => {
    const socket = new WebSocket(url, { autoPong: false, headers: { authorization: `Bearer ${user.accessToken}` } });
    const code = await new Promise<number>((resolve) => socket.on("close", (closeCode) => resolve(closeCode)));
    expect(code).not.toBe(1000);
  });

  it("closes every socket with 1001 when the server shuts down", async () => {
    const client = await ChatClient.open(url, { token: user.accessToken });
    await client.join("general");
    const shutdown = t.server.close();
    expect(await client.closed).toBe(1001);
    await shutdown;
  });
});
