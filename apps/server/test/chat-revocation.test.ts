import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatClient, isType } from "./support/chat-client.js";
import { logIn, registerAndLogIn, type Session, send } from "./support/http.js";
import { BOOTSTRAP_ENV, logInRoot, must } from "./support/rbac.js";
import { startTestServer, type TestServer, uniqueUser } from "./support/test-server.js";

/** The session id (`sid` claim) of an access token. */
function sidOf(token: string): string {
  const payload = token.split(".")[1] ?? "";
  return (JSON.parse(Buffer.from(payload, "base64url").toString()) as { sid: string }).sid;
}

/** Resolves with the close code, or rejects when the socket is still open after `ms`. */
function closedWithin(client: ChatClient, ms: number): Promise<number> {
  return Promise.race([
    client.closed,
    new Promise<number>((_, reject) => setTimeout(() => reject(new Error(`still open after ${ms} ms`)), ms)),
  ]);
}

describe("chat sockets end with their sessions", () => {
  let t: TestServer;
  let url: string;
  let root: Session;

  beforeAll(async () => {
    t = await startTestServer(BOOTSTRAP_ENV);
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    url = `ws://127.0.0.1:${(t.app.server.address() as AddressInfo).port}/api/v1/chat/ws`;
    root = await logInRoot(t);
  });
  afterAll(async () => {
    await t.close();
  });

  type Ending = (user: { email: string; password: string }, watched: Session, other: Session) => Promise<unknown>;
  const endings: Array<[string, Ending]> = [
    ["logout", (_user, watched) => send(t, "POST", "/api/v1/auth/logout", {}, watched.accessToken)],
    [
      "logout on all devices",
      (_user, _watched, other) => send(t, "POST", "/api/v1/auth/logout", { all_devices: true }, other.accessToken),
    ],
    [
      "session revoke",
      (_user, watched, other) =>
        send(t, "DELETE", `/api/v1/auth/sessions/${sidOf(watched.accessToken)}`, undefined, other.accessToken),
    ],
    [
      "password change",
      (user, _watched, other) =>
        send(
          t,
          "PATCH",
          "/api/v1/users/me/password",
          { current_password: user.password, new_password: "Another-Horse-8" },
          other.accessToken,
        ),
    ],
    [
      "suspension",
      (_user, watched) =>
        send(t, "POST", `/api/v1/admin/users/${watched.userId}/suspend`, { reason: "abuse" }, root.accessToken),
    ],
    [
      "deactivation",
      (user, _watched, other) =>
        send(t, "POST", "/api/v1/users/me/deactivate", { password: user.password }, other.accessToken),
    ],
    [
      "deletion",
      (user, _watched, other) => send(t, "DELETE", "/api/v1/users/me", { password: user.password }, other.accessToken),
    ],
  ];

  it.each(endings)("closes the socket 4401 within a second of a %s", async (_name, end) => {
    const user = uniqueUser("revoked");
    const watched = await registerAndLogIn(t, user);
    const other = await logIn(t, user);
    const client = await ChatClient.open(url, { token: watched.accessToken });
    await client.join("general");
    const response = (await end(user, watched, other)) as { status: number; body: unknown };
    expect(response.status, JSON.stringify(response.body)).toBeLessThan(300);
    expect(await closedWithin(client, 1000)).toBe(4401);
    expect(client.closeReason).toBe("session revoked");
    // The revoked token cannot come back on a new socket either.
    const retry = await ChatClient.open(url, { token: watched.accessToken });
    expect(await closedWithin(retry, 1000)).toBe(4401);
  });

  it("leaves the sockets of other users and other sessions open", async () => {
    const user = uniqueUser("kept");
    const ending = await registerAndLogIn(t, user);
    const kept = await logIn(t, user);
    const keptClient = await ChatClient.open(url, { token: kept.accessToken });
    await keptClient.next(isType("authenticated"));
    const endingClient = await ChatClient.open(url, { token: ending.accessToken });
    await endingClient.next(isType("authenticated"));
    await must(send(t, "POST", "/api/v1/auth/logout", {}, ending.accessToken));
    expect(await closedWithin(endingClient, 1000)).toBe(4401);
    keptClient.send({ type: "connect", room_id: "general" });
    await keptClient.next(isType("connected"));
    expect(keptClient.closeCode).toBeUndefined();
    keptClient.close();
  });
});
