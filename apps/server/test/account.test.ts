import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCode, get, logIn, post, registerAndLogIn, type Session, sendWith } from "./support/http.js";
import { TestSmtpServer } from "./support/smtp-server.js";
import { sql, startTestServer, type TestServer, testDatabaseKinds, uniqueUser } from "./support/test-server.js";

const NEW_PASSWORD = "Brand-New-Pass-7";

/** The envelope without the per-request id, to compare two answers. */
function withoutRequestId(body: Record<string, unknown>) {
  const error = body.error as Record<string, unknown> | undefined;
  if (error === undefined) return body;
  const { request_id: _, ...rest } = error;
  return { ...body, error: rest };
}

async function auditActions(t: TestServer, userId: string): Promise<string[]> {
  const rows = await t.query<{ action: string }>(
    sql`SELECT action FROM audit_logs WHERE user_id = ${userId} AND status = 'success' ORDER BY "timestamp"`,
  );
  return rows.map((row) => row.action);
}

describe.each(testDatabaseKinds())("the signed-in user's account (%s)", (kind) => {
  let t: TestServer;
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    t = await startTestServer({ SMTP_URL: smtp.url, MAIL_POLL_INTERVAL_MS: "20" }, kind);
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  async function twoSessions() {
    const user = uniqueUser();
    const first = await registerAndLogIn(t, user);
    const second = await logIn(t, user);
    return { user, first, second };
  }

  describe("GET /api/v1/users/me", () => {
    it("answers the same profile as /auth/me", async () => {
      const session = await registerAndLogIn(t, uniqueUser());
      const me = await get(t, "/api/v1/users/me", session.accessToken);
      expect(me.status).toBe(200);
      expect(me.body.data).toEqual((await get(t, "/api/v1/auth/me", session.accessToken)).body.data);
      expect((await get(t, "/api/v1/users/me")).status).toBe(401);
    });
  });

  describe("PUT /api/v1/users/me", () => {
    // Regression, "stale profile": the update answered 200 but left `user:{id}` cached, so
    // /auth/me served the old name and username for up to 5 minutes.
    it("stale profile: GET /auth/me shows the new values right after the update", async () => {
      const session = await registerAndLogIn(t, uniqueUser("stale"));
      const before = await get(t, "/api/v1/auth/me", session.accessToken);
      expect(before.status).toBe(200);
      const username = `fresh_${session.userId.slice(0, 8)}`;
      const update = await sendWith(t, "PUT", "/api/v1/users/me", {
        token: session.accessToken,
        payload: { username, full_name: "Fresh Name" },
      });
      expect(update.status).toBe(200);
      const after = await get(t, "/api/v1/auth/me", session.accessToken);
      expect(after.body.data).toMatchObject({ username, full_name: "Fresh Name" });
    });
  });

  describe("PATCH /api/v1/users/me/password", () => {
    it("refuses a wrong current password (401), a weak or unchanged new one (400), changing nothing", async () => {
      const { user, first } = await twoSessions();
      const wrong = await sendWith(t, "PATCH", "/api/v1/users/me/password", {
        token: first.accessToken,
        payload: { current_password: "Not-The-Password-1", new_password: NEW_PASSWORD },
      });
      expect(wrong.status).toBe(401);
      expect(errorCode(wrong.body)).toBe("INVALID_CREDENTIALS");
      const weak = await sendWith(t, "PATCH", "/api/v1/users/me/password", {
        token: first.accessToken,
        payload: { current_password: user.password, new_password: "short" },
      });
      expect(weak.status).toBe(400);
      expect(weak.body.error).toMatchObject({ code: "VALIDATION_ERROR", details: [{ field: "new_password" }] });
      const same = await sendWith(t, "PATCH", "/api/v1/users/me/password", {
        token: first.accessToken,
        payload: { current_password: user.password, new_password: user.password },
      });
      expect(same.status).toBe(400);
      expect((await logIn(t, user)).userId).toBe(first.userId);
    });

    it("changes the password, ends the other sessions but keeps this one, mails the owner and audits", async () => {
      const { user, first, second } = await twoSessions();
      const changed = await sendWith(t, "PATCH", "/api/v1/users/me/password", {
        token: first.accessToken,
        payload: { current_password: user.password, new_password: NEW_PASSWORD },
      });
      expect(changed.status).toBe(200);
      expect(changed.body.data).toEqual({ other_sessions_ended: 1 });

      const other = await get(t, "/api/v1/users/me", second.accessToken);
      expect(other.status).toBe(401);
      expect(errorCode(other.body)).toBe("SESSION_REVOKED");
      expect((await post(t, "/api/v1/auth/refresh", { refresh_token: second.refreshToken })).status).toBe(401);
      expect((await get(t, "/api/v1/users/me", first.accessToken)).status).toBe(200);
      expect((await post(t, "/api/v1/auth/refresh", { refresh_token: first.refreshToken })).status).toBe(200);

      expect((await post(t, "/api/v1/auth/login", { email: user.email, password: user.password })).status).toBe(401);
      expect((await post(t, "/api/v1/auth/login", { email: user.email, password: NEW_PASSWORD })).status).toBe(200);

      const mail = await smtp.waitForMail(user.email);
      expect(mail.subject).toMatch(/password was changed/);
      expect(mail.text).toContain(`Hello ${user.username},`);
      expect(await auditActions(t, first.userId)).toContain("user.password_changed");
    });

    it("keeps the other sessions with sign_out_other_sessions: false", async () => {
      const { user, first, second } = await twoSessions();
      const changed = await sendWith(t, "PATCH", "/api/v1/users/me/password", {
        token: first.accessToken,
        payload: { current_password: user.password, new_password: NEW_PASSWORD, sign_out_other_sessions: false },
      });
      expect(changed.body.data).toEqual({ other_sessions_ended: 0 });
      expect((await get(t, "/api/v1/users/me", second.accessToken)).status).toBe(200);
    });

    it("lets only one of two concurrent changes with the same current password win", async () => {
      const { user, first, second } = await twoSessions();
      const results = await Promise.all(
        [first, second].map((session, i) =>
          sendWith(t, "PATCH", "/api/v1/users/me/password", {
            token: session.accessToken,
            payload: { current_password: user.password, new_password: `${NEW_PASSWORD}${i}` },
          }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
    });

    it("succeeds while the mail server is down; the mail arrives once it is back", async () => {
      const { user, first } = await twoSessions();
      await smtp.stop();
      try {
        const changed = await sendWith(t, "PATCH", "/api/v1/users/me/password", {
          token: first.accessToken,
          payload: { current_password: user.password, new_password: NEW_PASSWORD },
        });
        expect(changed.status).toBe(200);
        // The first delivery attempt fails against the stopped server and is recorded (not
        // merely claimed: the clock moves only once the retry time was set); the mail stays queued.
        for (;;) {
          const [row] = await t.query<{ last_error: string | null; status: string }>(
            sql`SELECT last_error, status FROM mail_outbox WHERE recipient = ${user.email}`,
          );
          if (row !== undefined && row.last_error !== null) {
            expect(row.status).toBe("pending");
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      } finally {
        await smtp.resume();
      }
      t.clock.advance(3600);
      const mail = await smtp.waitForMail(user.email);
      expect(mail.subject).toMatch(/password was changed/);
    });
  });

  describe("sessions", () => {
    async function sessionsOf(session: Session) {
      const list = await get(t, "/api/v1/auth/sessions", session.accessToken);
      expect(list.status).toBe(200);
      return (list.body.data as { sessions: Array<Record<string, unknown>> }).sessions;
    }

    it("lists the active sessions with their client and marks the current one", async () => {
      const user = uniqueUser();
      await registerAndLogIn(t, user);
      const login = await sendWith(t, "POST", "/api/v1/auth/login", {
        payload: { email: user.email, password: user.password },
        headers: { "user-agent": "phone-app/2.1" },
      });
      const accessToken = (login.body.data as { access_token: string }).access_token;
      const sessions = await sessionsOf({ accessToken, refreshToken: "", userId: "" });
      expect(sessions).toHaveLength(2);
      const current = sessions.filter((session) => session.current === true);
      expect(current).toHaveLength(1);
      expect(current[0]).toMatchObject({ user_agent: "phone-app/2.1" });
      for (const session of sessions) {
        expect(Object.keys(session).sort()).toEqual([
          "created_at",
          "current",
          "id",
          "ip_address",
          "last_used_at",
          "user_agent",
        ]);
      }
    });

    it("revokes one session: its access token fails next, the list shrinks, a second revoke is 404", async () => {
      const { first, second } = await twoSessions();
      const target = (await sessionsOf(first)).find((session) => session.current !== true)?.id as string;
      const revoked = await sendWith(t, "DELETE", `/api/v1/auth/sessions/${target}`, { token: first.accessToken });
      expect(revoked.status).toBe(200);
      const after = await get(t, "/api/v1/users/me", second.accessToken);
      expect(errorCode(after.body)).toBe("SESSION_REVOKED");
      expect((await post(t, "/api/v1/auth/refresh", { refresh_token: second.refreshToken })).status).toBe(401);
      expect((await sessionsOf(first)).map((session) => session.id)).not.toContain(target);
      const again = await sendWith(t, "DELETE", `/api/v1/auth/sessions/${target}`, { token: first.accessToken });
      expect(again.status).toBe(404);
      expect(await auditActions(t, first.userId)).toContain("auth.session_revoked");
    });

    it("answers 404 for another user's session and leaves it alone (no IDOR)", async () => {
      const alice = await registerAndLogIn(t, uniqueUser("alice"));
      const mallory = await registerAndLogIn(t, uniqueUser("mallory"));
      const aliceSession = (await sessionsOf(alice))[0]?.id as string;
      const attempt = await sendWith(t, "DELETE", `/api/v1/auth/sessions/${aliceSession}`, {
        token: mallory.accessToken,
      });
      const unknown = await sendWith(t, "DELETE", "/api/v1/auth/sessions/00000000-0000-4000-8000-000000000000", {
        token: mallory.accessToken,
      });
      expect(attempt.status).toBe(404);
      expect(withoutRequestId(attempt.body)).toEqual(withoutRequestId(unknown.body));
      expect((await get(t, "/api/v1/users/me", alice.accessToken)).status).toBe(200);
      const malformed = await sendWith(t, "DELETE", "/api/v1/auth/sessions/not-a-uuid", { token: mallory.accessToken });
      expect(malformed.status).toBe(400);
    });
  });

  describe("deactivate and reactivate", () => {
    it("deactivates with the password, ends every session, and comes back through /auth/reactivate", async () => {
      const { user, first, second } = await twoSessions();
      const wrong = await sendWith(t, "POST", "/api/v1/users/me/deactivate", {
        token: first.accessToken,
        payload: { password: "Not-The-Password-1" },
      });
      expect(errorCode(wrong.body)).toBe("INVALID_CREDENTIALS");
      const done = await sendWith(t, "POST", "/api/v1/users/me/deactivate", {
        token: first.accessToken,
        payload: { password: user.password },
      });
      expect(done.status).toBe(200);
      expect(done.body.data).toEqual({ sessions_ended: 2 });
      for (const session of [first, second]) {
        expect(errorCode((await get(t, "/api/v1/users/me", session.accessToken)).body)).toBe("SESSION_REVOKED");
      }
      const login = await post(t, "/api/v1/auth/login", { email: user.email, password: user.password });
      expect(login.status).toBe(403);
      expect(errorCode(login.body)).toBe("ACCOUNT_DEACTIVATED");
      const [row] = await t.query<{ status: string; status_reason: string }>(
        sql`SELECT status, status_reason FROM users WHERE id = ${first.userId}`,
      );
      expect(row).toEqual({ status: "deactivated", status_reason: "self_deactivated" });

      const back = await post(t, "/api/v1/auth/reactivate", { email: user.email, password: user.password });
      expect(back.status).toBe(200);
      expect((await logIn(t, user)).userId).toBe(first.userId);
      expect(await auditActions(t, first.userId)).toEqual(
        expect.arrayContaining(["user.deactivate", "user.reactivate"]),
      );
    });

    it("answers a wrong password exactly like an unknown email (no enumeration)", async () => {
      const { user, first } = await twoSessions();
      await sendWith(t, "POST", "/api/v1/users/me/deactivate", {
        token: first.accessToken,
        payload: { password: user.password },
      });
      const wrong = await post(t, "/api/v1/auth/reactivate", { email: user.email, password: "Not-The-Password-1" });
      const unknown = await post(t, "/api/v1/auth/reactivate", {
        email: `nobody-${user.email}`,
        password: user.password,
      });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(withoutRequestId(wrong.body)).toEqual(withoutRequestId(unknown.body));
      const [row] = await t.query<{ status: string }>(sql`SELECT status FROM users WHERE id = ${first.userId}`);
      expect(row?.status).toBe("deactivated");
    });

    it("does not lift a suspension or an administrator's deactivation", async () => {
      const suspended = uniqueUser();
      const s = await registerAndLogIn(t, suspended);
      await t.query(sql`UPDATE users SET status = 'suspended', status_reason = 'abuse' WHERE id = ${s.userId}`);
      const refused = await post(t, "/api/v1/auth/reactivate", {
        email: suspended.email,
        password: suspended.password,
      });
      expect(refused.status).toBe(403);
      expect(errorCode(refused.body)).toBe("ACCOUNT_SUSPENDED");

      const byAdmin = uniqueUser();
      const a = await registerAndLogIn(t, byAdmin);
      await t.query(
        sql`UPDATE users SET status = 'deactivated', status_reason = 'left the company' WHERE id = ${a.userId}`,
      );
      const alsoRefused = await post(t, "/api/v1/auth/reactivate", {
        email: byAdmin.email,
        password: byAdmin.password,
      });
      expect(alsoRefused.status).toBe(403);
      expect(errorCode(alsoRefused.body)).toBe("ACCOUNT_DEACTIVATED");
      const rows = await t.query<{ status: string }>(
        sql`SELECT status FROM users WHERE id IN (${s.userId}, ${a.userId}) ORDER BY status`,
      );
      expect(rows.map((row) => row.status)).toEqual(["deactivated", "suspended"]);
    });
  });

  describe("DELETE /api/v1/users/me", () => {
    it("soft-deletes with the password: sessions end, login and reactivation fail alike, the email is free", async () => {
      const { user, first, second } = await twoSessions();
      const wrong = await sendWith(t, "DELETE", "/api/v1/users/me", {
        token: first.accessToken,
        payload: { password: "Not-The-Password-1" },
      });
      expect(errorCode(wrong.body)).toBe("INVALID_CREDENTIALS");
      const deleted = await sendWith(t, "DELETE", "/api/v1/users/me", {
        token: first.accessToken,
        payload: { password: user.password },
      });
      expect(deleted.status).toBe(200);
      expect(deleted.body.data).toEqual({ sessions_ended: 2 });
      expect(errorCode((await get(t, "/api/v1/users/me", second.accessToken)).body)).toBe("SESSION_REVOKED");
      const credentials = { email: user.email, password: user.password };
      expect(errorCode((await post(t, "/api/v1/auth/login", credentials)).body)).toBe("INVALID_CREDENTIALS");
      expect(errorCode((await post(t, "/api/v1/auth/reactivate", credentials)).body)).toBe("INVALID_CREDENTIALS");
      const [row] = await t.query<{ deleted_by: string; deleted_at: unknown }>(
        sql`SELECT deleted_by, deleted_at FROM users WHERE id = ${first.userId}`,
      );
      expect(row?.deleted_by).toBe(first.userId);
      expect(row?.deleted_at).not.toBeNull();
      expect(await auditActions(t, first.userId)).toContain("user.delete");
      const again = await post(t, "/api/v1/auth/register", { ...user, username: `${user.username}x` });
      expect(again.status).toBe(201);
    });
  });
});
