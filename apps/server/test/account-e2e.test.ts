import type { AddressInfo } from "node:net";
import { makeMaintenanceRepository } from "@gatehouse/infrastructure";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestSmtpServer } from "./support/smtp-server.js";
import { sql, startTestServer, type TestServer, testDatabaseKinds, uniqueUser } from "./support/test-server.js";

type Json = Record<string, unknown>;

/**
 * The self-service account endpoints over real HTTP: the composed server listens on a loopback port and is driven with
 * fetch; mail goes through a real SMTP server; PostgreSQL too when DATABASE_URL is set.
 */
describe.each(testDatabaseKinds())("self-service account over real HTTP (%s)", (kind) => {
  let t: TestServer;
  let smtp: TestSmtpServer;
  let base: string;
  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    t = await startTestServer({ SMTP_URL: smtp.url, MAIL_POLL_INTERVAL_MS: "20" }, kind);
    await t.app.listen({ host: "127.0.0.1", port: 0 });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  async function call(method: string, path: string, options: { body?: Json; token?: string; agent?: string } = {}) {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(options.body ? { "content-type": "application/json" } : {}),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        "user-agent": options.agent ?? "e2e",
      },
      ...(options.body ? { body: JSON.stringify(options.body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as Json };
  }

  async function login(user: { email: string; password: string }, agent: string) {
    const response = await call("POST", "/api/v1/auth/login", {
      body: { email: user.email, password: user.password },
      agent,
    });
    expect(response.status).toBe(200);
    const data = response.body.data as { access_token: string; refresh_token: string };
    return { access: data.access_token, refresh: data.refresh_token };
  }

  it("sessions, password change, deactivate/reactivate, delete and purge", async () => {
    const ada = uniqueUser("ada");
    const eve = uniqueUser("eve");
    for (const user of [ada, eve])
      expect((await call("POST", "/api/v1/auth/register", { body: user })).status).toBe(201);
    const laptop = await login(ada, "laptop");
    const phone = await login(ada, "phone");
    const eves = await login(eve, "eve-browser");

    // Session list and the IDOR case.
    const listed = await call("GET", "/api/v1/auth/sessions", { token: laptop.access });
    const sessions = (listed.body.data as { sessions: Array<{ id: string; user_agent: string; current: boolean }> })
      .sessions;
    expect(sessions.map((s) => [s.user_agent, s.current]).sort()).toEqual([
      ["laptop", true],
      ["phone", false],
    ]);
    const phoneSession = sessions.find((s) => s.user_agent === "phone")?.id as string;
    expect((await call("DELETE", `/api/v1/auth/sessions/${phoneSession}`, { token: eves.access })).status).toBe(404);
    expect((await call("GET", "/api/v1/users/me", { token: phone.access })).status).toBe(200);

    // Password change ends the other session, keeps this one, and mails the owner.
    const changed = await call("PATCH", "/api/v1/users/me/password", {
      token: laptop.access,
      body: { current_password: ada.password, new_password: "Another-Pass-8" },
    });
    expect(changed.status).toBe(200);
    expect((await call("GET", "/api/v1/users/me", { token: phone.access })).body.error).toMatchObject({
      code: "SESSION_REVOKED",
    });
    expect((await call("GET", "/api/v1/users/me", { token: laptop.access })).status).toBe(200);
    expect((await smtp.waitForMail(ada.email)).subject).toMatch(/password was changed/);
    const current = { email: ada.email, password: "Another-Pass-8" };

    // Deactivate, then reactivate.
    const deactivated = await call("POST", "/api/v1/users/me/deactivate", {
      token: laptop.access,
      body: { password: current.password },
    });
    expect(deactivated.status).toBe(200);
    expect((await call("GET", "/api/v1/users/me", { token: laptop.access })).status).toBe(401);
    expect((await call("POST", "/api/v1/auth/login", { body: current })).body.error).toMatchObject({
      code: "ACCOUNT_DEACTIVATED",
    });
    expect((await call("POST", "/api/v1/auth/reactivate", { body: current })).status).toBe(200);
    const again = await login(current, "laptop");

    // Delete, then the worker's purge (admin restore is another issue's endpoint, not on main yet).
    const deleted = await call("DELETE", "/api/v1/users/me", {
      token: again.access,
      body: { password: current.password },
    });
    expect(deleted.status).toBe(200);
    expect((await call("POST", "/api/v1/auth/login", { body: current })).body.error).toMatchObject({
      code: "INVALID_CREDENTIALS",
    });
    const [{ id } = { id: "" }] = await t.query<{ id: string }>(
      sql`SELECT id FROM users WHERE username = ${ada.username}`,
    );
    await t.query(sql`UPDATE users SET deleted_at = now() - interval '31 days' WHERE id = ${id}`);
    const purged = await makeMaintenanceRepository(t.database.handle).purgeUsersDeletedBefore(
      new Date(Date.now() - 30 * 86_400_000),
      100,
    );
    expect(purged).toBe(1);
    const [row] = await t.query<{ email: string; purged_at: unknown }>(
      sql`SELECT email, purged_at FROM users WHERE id = ${id}`,
    );
    expect(row?.email).toBe(`purged+${id}@invalid`);
    const audit = await t.query<{ action: string }>(sql`SELECT action FROM audit_logs WHERE resource_id = ${id}`);
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        "user.password_changed",
        "user.deactivate",
        "user.reactivate",
        "user.delete",
        "user.purged",
      ]),
    );
    // The address is free again.
    expect(
      (await call("POST", "/api/v1/auth/register", { body: { ...ada, username: `${ada.username}2` } })).status,
    ).toBe(201);
  });
});
