import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatClient } from "./support/chat-client.js";
import { errorCode, get, registerAndLogIn, type Session, send } from "./support/http.js";
import { BOOTSTRAP_ENV, logInRoot, must, roleWith, userWithRoles } from "./support/rbac.js";
import { sql, startTestServer, type TestServer, testDatabaseKinds, uniqueUser } from "./support/test-server.js";

interface Room {
  id: string;
  name: string;
  is_private: boolean;
  member_count: number;
  online_count: number;
}
interface Message {
  id: string;
  content: string;
  sender_id: string;
  room_id: string;
}
interface Page {
  messages: Message[];
  next_before: string | null;
}

describe.each(testDatabaseKinds())("chat rooms, members and history on %s", (kind) => {
  let t: TestServer;
  let root: Session;
  let manager: Session;
  let member: Session;
  let outsider: Session;

  const rooms = (session: Session) => must<Room[]>(get(t, "/api/v1/chat/rooms", session.accessToken));
  const history = (session: Session, room: string, query = "") =>
    get(t, `/api/v1/chat/rooms/${room}/messages${query}`, session.accessToken);
  let wsUrl: string;
  /** Sends `count` messages through a socket and waits until they came back. */
  const postMessages = async (room: string, sender: Session, count: number, prefix = "m") => {
    const client = await ChatClient.open(wsUrl, { token: sender.accessToken });
    await client.join(room);
    for (let i = 0; i < count; i += 1) client.send({ type: "message", room_id: room, content: `${prefix}${i}` });
    await client.next((f) => f.content === `${prefix}${count - 1}`);
    // Leaving explicitly: `disconnected` comes once the leave notice is stored.
    client.send({ type: "disconnect", room_id: room });
    await client.next((f) => f.type === "disconnected");
    client.close();
  };

  beforeAll(async () => {
    t = await startTestServer(BOOTSTRAP_ENV, kind);
    root = await logInRoot(t);
    manager = await userWithRoles(t, root, [await roleWith(t, root, ["chat:manage", "chat:read"])]);
    member = await registerAndLogIn(t, uniqueUser("member"));
    outsider = await registerAndLogIn(t, uniqueUser("outsider"));
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    wsUrl = `ws://127.0.0.1:${(t.app.server.address() as AddressInfo).port}/api/v1/chat/ws`;
  });
  afterAll(async () => {
    await t.close();
  });

  it("has a general room after migration, and the user role reads and writes but does not manage", async () => {
    const listed = await rooms(member);
    expect(listed.map((room) => room.id)).toContain("general");
    const grants = await t.query<{ name: string }>(sql`
      SELECT p.name FROM role_permissions rp JOIN roles r ON r.id = rp.role_id JOIN permissions p ON p.id = rp.permission_id
      WHERE r.name = 'user' AND p.name LIKE 'chat:%' ORDER BY p.name`);
    expect(grants.map((row) => row.name)).toEqual(["chat:read", "chat:write"]);
    const refused = await send(t, "POST", "/api/v1/chat/rooms", { id: "nope", name: "Nope" }, member.accessToken);
    expect(refused.status).toBe(403);
    expect(errorCode(refused.body)).toBe("INSUFFICIENT_PERMISSIONS");
    expect((await get(t, "/api/v1/chat/rooms")).status).toBe(401);
  });

  it("creates, renames and deletes a room, auditing the admin actions, and refuses duplicates and bad slugs", async () => {
    const created = await must<Room>(
      send(t, "POST", "/api/v1/chat/rooms", { id: "ops-team", name: "Ops" }, manager.accessToken),
      201,
    );
    expect(created).toMatchObject({ id: "ops-team", name: "Ops", is_private: false, member_count: 0 });
    const duplicate = await send(
      t,
      "POST",
      "/api/v1/chat/rooms",
      { id: "ops-team", name: "Again" },
      manager.accessToken,
    );
    expect(duplicate.status).toBe(409);
    expect(errorCode(duplicate.body)).toBe("CONFLICT");
    const badSlug = await send(t, "POST", "/api/v1/chat/rooms", { id: "Bad Slug", name: "x" }, manager.accessToken);
    expect(badSlug.status).toBe(400);
    const renamed = await must<Room>(
      send(t, "PUT", "/api/v1/chat/rooms/ops-team", { name: "Operations" }, manager.accessToken),
    );
    expect(renamed.name).toBe("Operations");
    expect((await send(t, "PUT", "/api/v1/chat/rooms/missing", { name: "x" }, manager.accessToken)).status).toBe(404);
    await must(send(t, "DELETE", "/api/v1/chat/rooms/ops-team", undefined, manager.accessToken));
    expect((await send(t, "DELETE", "/api/v1/chat/rooms/ops-team", undefined, manager.accessToken)).status).toBe(404);
    const general = await send(t, "DELETE", "/api/v1/chat/rooms/general", undefined, manager.accessToken);
    expect(general.status).toBe(403);
    const audit = await t.query<{ action: string }>(sql`
      SELECT action FROM audit_logs WHERE details->>'room_id' = 'ops-team' ORDER BY timestamp`);
    expect(audit.map((row) => row.action)).toEqual(["chat.room_create", "chat.room_update", "chat.room_delete"]);
  });

  it("hides a private room from non-members (404 as if it did not exist) and shows it to members", async () => {
    await must(
      send(t, "POST", "/api/v1/chat/rooms", { id: "secret", name: "Secret", is_private: true }, manager.accessToken),
      201,
    );
    const added = await must<{ added: boolean }>(
      send(t, "POST", "/api/v1/chat/rooms/secret/members", { user_id: member.userId }, manager.accessToken),
    );
    expect(added.added).toBe(true);
    const again = await must<{ added: boolean }>(
      send(t, "POST", "/api/v1/chat/rooms/secret/members", { user_id: member.userId }, manager.accessToken),
    );
    expect(again.added).toBe(false);

    expect((await rooms(member)).find((room) => room.id === "secret")).toMatchObject({ member_count: 1 });
    expect((await rooms(outsider)).map((room) => room.id)).not.toContain("secret");
    const hidden = await history(outsider, "secret");
    const missing = await history(outsider, "no-such-room");
    expect(hidden.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(errorCode(hidden.body)).toBe(errorCode(missing.body));
    expect((await history(member, "secret")).status).toBe(200);

    await must(send(t, "DELETE", `/api/v1/chat/rooms/secret/members/${member.userId}`, undefined, manager.accessToken));
    expect((await history(member, "secret")).status).toBe(404);
    const unknownUser = await send(
      t,
      "POST",
      "/api/v1/chat/rooms/secret/members",
      { user_id: "00000000-0000-4000-8000-000000000000" },
      manager.accessToken,
    );
    expect(errorCode(unknownUser.body)).toBe("USER_NOT_FOUND");
    const publicRoom = await send(
      t,
      "POST",
      "/api/v1/chat/rooms/general/members",
      { user_id: member.userId },
      manager.accessToken,
    );
    expect(publicRoom.status).toBe(400);
  });

  it("pages history newest first with a before cursor that does not shift under new messages", async () => {
    await must(send(t, "POST", "/api/v1/chat/rooms", { id: "paging", name: "Paging" }, manager.accessToken), 201);
    await postMessages("paging", member, 7, "a");
    const before = (await must<Page>(history(member, "paging", "?limit=100"))).messages;
    expect(before.filter((m) => m.content.startsWith("a")).map((m) => m.content)).toEqual([
      "a6",
      "a5",
      "a4",
      "a3",
      "a2",
      "a1",
      "a0",
    ]);
    const first = await must<Page>(history(member, "paging", "?limit=3"));
    expect(first.messages).toEqual(before.slice(0, 3));
    // New messages arrive between pages; the cursor keeps the next page where it was.
    await postMessages("paging", member, 2, "b");
    const pages = [first];
    for (let page = first; page.next_before !== null; ) {
      page = await must<Page>(history(member, "paging", `?limit=3&before=${page.next_before}`));
      pages.push(page);
    }
    expect(pages.flatMap((page) => page.messages)).toEqual(before);
    const ids = before.map((m) => BigInt(m.id));
    expect(ids).toEqual([...ids].sort((a, b) => (a > b ? -1 : 1)));
    expect((await history(member, "paging", "?limit=0")).status).toBe(400);
    expect((await history(member, "paging", "?limit=101")).status).toBe(400);
    expect((await history(member, "paging", "?before=abc")).status).toBe(400);
  });

  it("numbers a room's messages one after the other under concurrent sends", async () => {
    await must(send(t, "POST", "/api/v1/chat/rooms", { id: "race", name: "Race" }, manager.accessToken), 201);
    const senders = [root, manager, member, outsider];
    await Promise.all(senders.map((sender, i) => postMessages("race", sender, 5, `s${i}-`)));
    const page = await must<Page>(history(root, "race", "?limit=100"));
    const user = page.messages.filter((m) => m.sender_id !== "00000000-0000-0000-0000-000000000000");
    expect(user).toHaveLength(20);
    // Join and leave notices are numbered in the same sequence: every id from 1 up, none twice.
    const ids = page.messages.map((m) => Number(m.id)).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => i + 1));
  });
});
