import type { AddressInfo } from "node:net";
import { createGatehouseClient, type GatehouseClient, type TokenPair, type User } from "@gatehouse/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer, testDatabaseKinds, uniqueUser } from "./support/test-server.js";

/** The verification code of the newest mail to `email` in the development mailbox, read through the client. */
async function mailedCode(client: GatehouseClient, email: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { data } = await client.GET("/dev/mailbox", { params: { query: { to: email } } });
    const code = /\b(\d{6})\b/.exec(data?.data.mails[0]?.text ?? "")?.[1];
    if (code !== undefined) return code;
    if (Date.now() > deadline) throw new Error(`no verification mail for ${email}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// @gatehouse/client against the real composition listening on a loopback port: its types come
// from the OpenAPI document, so a document that drifted from what the server answers fails here.
describe.each(testDatabaseKinds())("@gatehouse/client against a listening server (%s)", (kind) => {
  let t: TestServer;
  let baseUrl: string;
  beforeAll(async () => {
    t = await startTestServer({ REQUIRE_EMAIL_VERIFICATION: "true" }, kind);
    await t.app.listen({ port: 0, host: "127.0.0.1" });
    baseUrl = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await t.close();
  });

  it("registers, verifies the mailed code, logs in, reads me, refreshes and logs out", async () => {
    let tokens: TokenPair | undefined;
    const client = createGatehouseClient({ baseUrl, accessToken: () => tokens?.access_token });
    const user = { ...uniqueUser("client"), password: "Tr1cky-Fjord-Lantern-88" };

    const registered = await client.POST("/api/v1/register", { body: user });
    expect(registered.response.status).toBe(201);
    expect(registered.data?.data.status).toBe("pending_verification");

    const unverified = await client.POST("/api/v1/auth/login", {
      body: { email: user.email, password: user.password },
    });
    expect(unverified.error?.error.code).toBe("ACCOUNT_NOT_VERIFIED");

    const code = await mailedCode(client, user.email);
    const verified = await client.POST("/api/v1/register/verify", { body: { email: user.email, code } });
    expect(verified.data?.data.status).toBe("active");

    const login = await client.POST("/api/v1/auth/login", { body: { email: user.email, password: user.password } });
    expect(login.error).toBeUndefined();
    const session = login.data?.data;
    // A user without a second factor gets the session itself, never the MFA challenge.
    if (session === undefined || "mfa_required" in session) throw new Error("expected a session");
    expect(session.user.username).toBe(user.username);
    tokens = session;

    const me = await client.GET("/api/v1/auth/me");
    const self: User | undefined = me.data?.data;
    expect(self?.email).toBe(user.email);
    expect(self?.roles.map((role) => role.name)).toEqual(["user"]);

    const first = tokens;
    const refreshed = await client.POST("/api/v1/auth/refresh", {
      body: { refresh_token: first?.refresh_token ?? "" },
    });
    tokens = refreshed.data?.data;
    expect(tokens?.token_type).toBe("Bearer");
    expect(tokens?.refresh_token).not.toBe(first?.refresh_token);
    expect((await client.GET("/api/v1/auth/me")).data?.data.id).toBe(self?.id);

    const logout = await client.POST("/api/v1/auth/logout", { body: {} });
    expect(logout.response.status).toBe(200);
    const afterLogout = await client.GET("/api/v1/auth/me");
    expect(afterLogout.response.status).toBe(401);
    expect(afterLogout.error?.error.code).toBe("SESSION_REVOKED");
    const replay = await client.POST("/api/v1/auth/refresh", { body: { refresh_token: tokens?.refresh_token ?? "" } });
    expect(replay.response.status).toBe(401);
  });
});
