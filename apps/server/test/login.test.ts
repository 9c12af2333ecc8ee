import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCode, post, register } from "./support/http.js";
import { sql, startTestServer, type TestServer, uniqueUser } from "./support/test-server.js";

describe("POST /api/v1/auth/login", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t.close();
  });

  it("returns an access token, a refresh token and the user", async () => {
    const user = uniqueUser();
    const id = await register(t, user);
    const response = await post(t, "/api/v1/auth/login", { email: user.email.toUpperCase(), password: user.password });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      success: true,
      message: "Login successful",
      data: {
        token_type: "Bearer",
        expires_in: 900,
        refresh_expires_in: 604_800,
        user: { id, username: user.username, email: user.email, roles: ["user"] },
      },
    });
    const data = response.body.data as { access_token: string; refresh_token: string };
    expect(data.access_token.split(".")).toHaveLength(3);
    expect(Buffer.from(data.refresh_token, "base64url")).toHaveLength(32);
    const stored = await t.query<{ token_hash: string; user_agent: string | null }>(
      sql`SELECT token_hash, user_agent FROM refresh_tokens WHERE user_id = ${id}`,
    );
    expect(stored).toHaveLength(1);
    expect(stored[0]?.token_hash).not.toBe(data.refresh_token);
    const audit = await t.query(sql`SELECT 1 FROM audit_logs WHERE action = 'auth.login' AND user_id = ${id}`);
    expect(audit).toHaveLength(1);
  });

  it("answers unknown email, wrong password and a deleted user identically", async () => {
    const user = uniqueUser();
    const deleted = uniqueUser();
    await register(t, user);
    const deletedId = await register(t, deleted);
    await t.query(sql`UPDATE users SET deleted_at = now() WHERE id = ${deletedId}`);
    const answers = await Promise.all([
      post(t, "/api/v1/auth/login", { email: "nobody@example.com", password: user.password }),
      post(t, "/api/v1/auth/login", { email: user.email, password: "Wrong-Horse-9" }),
      post(t, "/api/v1/auth/login", { email: deleted.email, password: deleted.password }),
    ]);
    for (const answer of answers) {
      expect(answer.status).toBe(401);
      const { request_id: _ignored, ...error } = answer.body.error as Record<string, unknown>;
      expect(error).toEqual({ code: "INVALID_CREDENTIALS", message: "Invalid email or password" });
    }
    const failures = await t.query(sql`SELECT 1 FROM audit_logs WHERE action = 'auth.login_failed'`);
    expect(failures.length).toBeGreaterThanOrEqual(3);
  });

  it("spends an argon2 verify on unknown emails too, so timing does not reveal accounts", async () => {
    const user = uniqueUser();
    await register(t, user);
    const time = async (email: string) => {
      const started = performance.now();
      await post(t, "/api/v1/auth/login", { email, password: "Wrong-Horse-9" });
      return performance.now() - started;
    };
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    const unknown: number[] = [];
    const known: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      unknown.push(await time(`ghost${i}@example.com`));
      known.push(await time(user.email));
    }
    // Without the dummy hash an unknown email costs one indexed lookup (~1 ms) against
    // ~20+ ms of argon2: the ratio would sit far below this deliberately loose bound.
    expect(median(unknown) / median(known)).toBeGreaterThan(0.5);
  });

  it.each([
    ["suspended", "ACCOUNT_SUSPENDED"],
    ["deactivated", "ACCOUNT_DEACTIVATED"],
    ["pending_verification", "ACCOUNT_NOT_VERIFIED"],
    ["pending_approval", "ACCOUNT_PENDING_APPROVAL"],
  ])("answers 403 for a %s account, but only after the right password", async (status, code) => {
    const user = uniqueUser();
    const id = await register(t, user);
    await t.query(sql`UPDATE users SET status = ${status} WHERE id = ${id}`);
    const wrong = await post(t, "/api/v1/auth/login", { email: user.email, password: "Wrong-Horse-9" });
    expect(wrong.status).toBe(401);
    const right = await post(t, "/api/v1/auth/login", { email: user.email, password: user.password });
    expect(right.status).toBe(403);
    expect(errorCode(right.body)).toBe(code);
  });

  it("rejects missing fields and an over-long password before hashing", async () => {
    const missing = await post(t, "/api/v1/auth/login", { email: "a@example.com" });
    expect(missing.status).toBe(400);
    expect(errorCode(missing.body)).toBe("VALIDATION_ERROR");
    const long = await post(t, "/api/v1/auth/login", { email: "a@example.com", password: "A1a".repeat(50) });
    expect(long.status).toBe(400);
  });
});
