import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCode, get, post, registerAndLogIn } from "./support/http.js";
import { sql, startTestServer, TEST_JWT_SECRET, type TestServer, uniqueUser } from "./support/test-server.js";

describe("GET /api/v1/auth/me", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t.close();
  });

  it("returns the profile with roles and their permissions", async () => {
    const user = uniqueUser();
    const session = await registerAndLogIn(t, user);
    await t.query(
      sql`INSERT INTO user_roles (user_id, role_id) SELECT ${session.userId}, id FROM roles WHERE name = 'admin'`,
    );
    const response = await get(t, "/api/v1/auth/me", session.accessToken);
    expect(response.status).toBe(200);
    const data = response.body.data as Record<string, unknown> & {
      roles: Array<{ name: string; permissions: string[] }>;
    };
    expect(data).toMatchObject({ id: session.userId, username: user.username, email: user.email, is_active: true });
    expect(data).not.toHaveProperty("password_hash");
    expect(data.roles.map((role) => role.name)).toEqual(["admin", "user"]);
    expect(data.roles[0]?.permissions).toEqual([
      "audit:read",
      "roles:read",
      "users:delete",
      "users:import",
      "users:read",
      "users:write",
    ]);
  });

  it("answers 401 UNAUTHORIZED without a token and INVALID_TOKEN for garbage", async () => {
    const none = await get(t, "/api/v1/auth/me");
    expect(none.status).toBe(401);
    expect(errorCode(none.body)).toBe("UNAUTHORIZED");
    expect(errorCode((await get(t, "/api/v1/auth/me", "garbage")).body)).toBe("INVALID_TOKEN");
    const basic = await t.app.inject({
      method: "GET",
      url: "/api/v1/auth/me",
      headers: { authorization: "Basic abc" },
    });
    expect(basic.json().error.code).toBe("INVALID_TOKEN");
  });

  it("accepts the bearer scheme in any case (RFC 7235)", async () => {
    const session = await registerAndLogIn(t, uniqueUser());
    const response = await t.app.inject({
      method: "GET",
      url: "/api/v1/auth/me",
      headers: { authorization: `bearer ${session.accessToken}` },
    });
    expect(response.statusCode).toBe(200);
  });

  it("answers TOKEN_EXPIRED for an expired token and INVALID_TOKEN for alg none", async () => {
    const session = await registerAndLogIn(t, uniqueUser());
    const past = Math.floor(Date.now() / 1000) - 3600;
    const expired = await new SignJWT({ sid: "s", roles: [], permissions: [] })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(session.userId)
      .setIssuer("gatehouse")
      .setAudience("gatehouse-api")
      .setJti("j")
      .setIssuedAt(past - 900)
      .setExpirationTime(past)
      .sign(new TextEncoder().encode(TEST_JWT_SECRET));
    expect(errorCode((await get(t, "/api/v1/auth/me", expired)).body)).toBe("TOKEN_EXPIRED");
    const [, payload] = session.accessToken.split(".");
    const none = `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${payload}.`;
    expect(errorCode((await get(t, "/api/v1/auth/me", none)).body)).toBe("INVALID_TOKEN");
  });

  it("answers 403 with the state's code when the account stopped being active", async () => {
    const session = await registerAndLogIn(t, uniqueUser());
    await t.query(sql`UPDATE users SET status = 'deactivated' WHERE id = ${session.userId}`);
    expect(errorCode((await get(t, "/api/v1/auth/me", session.accessToken)).body)).toBe("ACCOUNT_DEACTIVATED");
  });
});

describe("POST /api/v1/auth/logout", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t.close();
  });

  it("ends the caller's session: its access and refresh tokens fail at once", async () => {
    const session = await registerAndLogIn(t, uniqueUser());
    const response = await post(t, "/api/v1/auth/logout", {}, session.accessToken);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ success: true, message: "Logged out successfully" });
    const me = await get(t, "/api/v1/auth/me", session.accessToken);
    expect(me.status).toBe(401);
    expect(errorCode(me.body)).toBe("SESSION_REVOKED");
    const refresh = await post(t, "/api/v1/auth/refresh", { refresh_token: session.refreshToken });
    expect(errorCode(refresh.body)).toBe("REFRESH_TOKEN_REVOKED");
    const audit = await t.query(
      sql`SELECT 1 FROM audit_logs WHERE action = 'auth.logout' AND user_id = ${session.userId}`,
    );
    expect(audit).toHaveLength(1);
  });

  it("works without a body", async () => {
    const session = await registerAndLogIn(t, uniqueUser());
    const response = await t.app.inject({
      method: "POST",
      url: "/api/v1/auth/logout",
      headers: { authorization: `Bearer ${session.accessToken}` },
    });
    expect(response.statusCode).toBe(200);
  });

  it("ends the session of a given refresh token and leaves the others", async () => {
    const user = uniqueUser();
    const laptop = await registerAndLogIn(t, user);
    const phone = await (await import("./support/http.js")).logIn(t, user);
    const response = await post(t, "/api/v1/auth/logout", { refresh_token: phone.refreshToken }, laptop.accessToken);
    expect(response.status).toBe(200);
    expect((await get(t, "/api/v1/auth/me", phone.accessToken)).status).toBe(401);
    expect((await get(t, "/api/v1/auth/me", laptop.accessToken)).status).toBe(200);
  });

  it("ends every session with all_devices", async () => {
    const user = uniqueUser();
    const a = await registerAndLogIn(t, user);
    const { logIn } = await import("./support/http.js");
    const b = await logIn(t, user);
    expect((await post(t, "/api/v1/auth/logout", { all_devices: true }, a.accessToken)).status).toBe(200);
    for (const session of [a, b]) {
      expect(errorCode((await get(t, "/api/v1/auth/me", session.accessToken)).body)).toBe("SESSION_REVOKED");
      expect(errorCode((await post(t, "/api/v1/auth/refresh", { refresh_token: session.refreshToken })).body)).toBe(
        "REFRESH_TOKEN_REVOKED",
      );
    }
  });

  it("refuses another user's refresh token and revokes nothing", async () => {
    const mallory = await registerAndLogIn(t, uniqueUser());
    const victim = await registerAndLogIn(t, uniqueUser());
    const response = await post(t, "/api/v1/auth/logout", { refresh_token: victim.refreshToken }, mallory.accessToken);
    expect(response.status).toBe(401);
    expect(errorCode(response.body)).toBe("REFRESH_TOKEN_INVALID");
    expect((await get(t, "/api/v1/auth/me", victim.accessToken)).status).toBe(200);
  });

  it("requires a token", async () => {
    expect((await post(t, "/api/v1/auth/logout", {})).status).toBe(401);
  });
});
