import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCode, get, post, registerAndLogIn } from "./support/http.js";
import { sql, startTestServer, type TestServer, testDatabaseKinds, uniqueUser } from "./support/test-server.js";

async function refresh(t: TestServer, refreshToken: string) {
  return post(t, "/api/v1/auth/refresh", { refresh_token: refreshToken });
}

function tokensOf(body: Record<string, unknown>) {
  return body.data as { access_token: string; refresh_token: string };
}

async function activeTokens(t: TestServer, userId: string) {
  return t.query<{ family_id: string }>(
    sql`SELECT family_id FROM refresh_tokens WHERE user_id = ${userId} AND revoked_at IS NULL`,
  );
}

describe("POST /api/v1/auth/refresh", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer();
  });
  afterAll(async () => {
    await t.close();
  });

  it("rotates: a new pair that works, the old refresh token retired", async () => {
    const session = await registerAndLogIn(t, uniqueUser());
    const response = await refresh(t, session.refreshToken);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      success: true,
      message: "Token refreshed successfully",
      data: { token_type: "Bearer", expires_in: 900, refresh_expires_in: 604_800 },
    });
    const next = tokensOf(response.body);
    expect(next.refresh_token).not.toBe(session.refreshToken);
    expect((await get(t, "/api/v1/auth/me", next.access_token)).status).toBe(200);
    expect(await activeTokens(t, session.userId)).toHaveLength(1);
    expect((await refresh(t, next.refresh_token)).status).toBe(200);
  });

  it("re-issues within the grace window (lost response) without treating it as theft", async () => {
    const session = await registerAndLogIn(t, uniqueUser());
    const first = tokensOf((await refresh(t, session.refreshToken)).body);
    t.clock.advance(5);
    const retry = await refresh(t, session.refreshToken);
    expect(retry.status).toBe(200);
    const second = tokensOf(retry.body);
    // The retry's token is now the family's one active token; the first answer's token was retired.
    expect(await activeTokens(t, session.userId)).toHaveLength(1);
    expect((await refresh(t, second.refresh_token)).status).toBe(200);
    expect((await get(t, "/api/v1/auth/me", first.access_token)).status).toBe(200);
  });

  // Regression: the first refresh committed but its answer was lost (503); the client's retry
  // arrived 18 s later, past the grace window, and the whole session was revoked as a replay.
  it("answers the 18 s late retry of a refresh whose answer was lost, keeping the session", async () => {
    const session = await registerAndLogIn(t, uniqueUser());
    expect((await refresh(t, session.refreshToken)).status).toBe(200); // the answer the client never saw
    t.clock.advance(18);
    const retry = await refresh(t, session.refreshToken);
    expect(retry.status).toBe(200);
    const retried = tokensOf(retry.body);
    expect(await activeTokens(t, session.userId)).toHaveLength(1);
    expect((await get(t, "/api/v1/auth/me", retried.access_token)).status).toBe(200);
    expect((await refresh(t, retried.refresh_token)).status).toBe(200);
  });

  it("detects reuse after the grace window: the whole family dies, access tokens too", async () => {
    const session = await registerAndLogIn(t, uniqueUser());
    const used = tokensOf((await refresh(t, session.refreshToken)).body);
    t.clock.advance(30);
    const next = tokensOf((await refresh(t, used.refresh_token)).body); // the owner used its successor
    t.clock.advance(11);
    const replay = await refresh(t, session.refreshToken);
    expect(replay.status).toBe(401);
    expect(errorCode(replay.body)).toBe("REFRESH_TOKEN_REVOKED");
    expect(await activeTokens(t, session.userId)).toHaveLength(0);
    const legit = await refresh(t, next.refresh_token);
    expect(errorCode(legit.body)).toBe("REFRESH_TOKEN_REVOKED");
    const me = await get(t, "/api/v1/auth/me", next.access_token);
    expect(me.status).toBe(401);
    expect(errorCode(me.body)).toBe("SESSION_REVOKED");
    const audit = await t.query(
      sql`SELECT 1 FROM audit_logs WHERE action = 'auth.refresh_reuse_detected' AND user_id = ${session.userId}`,
    );
    expect(audit).toHaveLength(1);
  });

  it("answers REFRESH_TOKEN_EXPIRED for an expired token", async () => {
    const session = await registerAndLogIn(t, uniqueUser());
    t.clock.advance(7 * 86_400 + 1);
    const response = await refresh(t, session.refreshToken);
    expect(response.status).toBe(401);
    expect(errorCode(response.body)).toBe("REFRESH_TOKEN_EXPIRED");
  });

  it("answers REFRESH_TOKEN_INVALID for a token it never issued, 400 for a missing one", async () => {
    const unknown = await refresh(t, "bm90LWEtcmVhbC10b2tlbi1idXQtbG9uZy1lbm91Z2g");
    expect(unknown.status).toBe(401);
    expect(errorCode(unknown.body)).toBe("REFRESH_TOKEN_INVALID");
    const missing = await post(t, "/api/v1/auth/refresh", {});
    expect(missing.status).toBe(400);
  });

  it("answers 403 and revokes the family when the user is no longer active", async () => {
    const session = await registerAndLogIn(t, uniqueUser());
    await t.query(sql`UPDATE users SET status = 'suspended' WHERE id = ${session.userId}`);
    const response = await refresh(t, session.refreshToken);
    expect(response.status).toBe(403);
    expect(errorCode(response.body)).toBe("ACCOUNT_SUSPENDED");
    expect(await activeTokens(t, session.userId)).toHaveLength(0);
    expect(errorCode((await get(t, "/api/v1/auth/me", session.accessToken)).body)).toBe("SESSION_REVOKED");
  });
});

// The race needs real connections to mean anything: on PostgreSQL when configured, and through
// the PgBouncer tier's transaction pooling when it runs.
describe.each(testDatabaseKinds({ pgbouncer: true }))("concurrent refresh on %s", (kind) => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({}, kind);
  });
  afterAll(async () => {
    await t.close();
  });

  it("keeps one active token under 20 parallel refreshes, and the last one handed out works", async () => {
    const session = await registerAndLogIn(t, uniqueUser());
    const answers = await Promise.all(Array.from({ length: 20 }, () => refresh(t, session.refreshToken)));
    for (const answer of answers) expect([200, 401]).toContain(answer.status);
    const active = await t.query<{ token_hash: string }>(
      sql`SELECT token_hash FROM refresh_tokens WHERE user_id = ${session.userId} AND revoked_at IS NULL`,
    );
    expect(active).toHaveLength(1);
    const winners = answers.filter((answer) => answer.status === 200).map((answer) => tokensOf(answer.body));
    expect(winners.length).toBeGreaterThan(0);
    const hashOf = (token: string) => createHash("sha256").update(token).digest("hex");
    const last = winners.find((pair) => hashOf(pair.refresh_token) === active[0]?.token_hash);
    expect(last).toBeDefined();
    const next = await refresh(t, last?.refresh_token ?? "");
    expect(next.status).toBe(200);
    expect(await activeTokens(t, session.userId)).toHaveLength(1);
  });
  it("never leaves an ended session with an active token when logout races refreshes", async () => {
    for (let round = 0; round < 5; round += 1) {
      const session = await registerAndLogIn(t, uniqueUser());
      await Promise.all([
        ...Array.from({ length: 5 }, () => refresh(t, session.refreshToken)),
        post(t, "/api/v1/auth/logout", { all_devices: true }, session.accessToken),
      ]);
      expect(await activeTokens(t, session.userId)).toHaveLength(0);
    }
  });
});
