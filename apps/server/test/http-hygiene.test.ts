import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { createLogger, loadConfig } from "@gatehouse/infrastructure";
import { createTestDatabase } from "@gatehouse/infrastructure/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createServer } from "../src/compose.js";
import { errorCode, post, registerAndLogIn, send, sendWith } from "./support/http.js";
import { BOOTSTRAP_ENV, logInRoot } from "./support/rbac.js";
import { sql, startTestServer, TEST_JWT_SECRET, type TestServer, uniqueUser } from "./support/test-server.js";

/** Writes `request` to the listening app on a raw socket and returns the raw answer. */
async function rawExchange(t: TestServer, request: string): Promise<string> {
  const { port } = t.app.server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(request));
    let answer = "";
    socket.on("data", (chunk) => {
      answer += chunk.toString("latin1");
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(answer));
  });
}

describe("HTTP hygiene", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ ...BOOTSTRAP_ENV, TRUST_PROXY: "1" });
    await t.app.listen({ port: 0, host: "127.0.0.1" });
  });
  afterAll(async () => {
    await t.close();
  });

  it("tokens and personal data are never stored by a cache: Cache-Control no-store on every such answer", async () => {
    const user = uniqueUser("nostore");
    const session = await registerAndLogIn(t, user);
    const root = await logInRoot(t);
    const login = await post(t, "/api/v1/auth/login", { email: user.email, password: user.password });
    const refresh = await post(t, "/api/v1/auth/refresh", { refresh_token: session.refreshToken });
    const answers = [
      login,
      refresh,
      await send(t, "GET", "/api/v1/auth/me", undefined, session.accessToken),
      await send(t, "GET", "/api/v1/users/me", undefined, session.accessToken),
      await send(t, "GET", "/api/v1/auth/sessions", undefined, session.accessToken),
      await send(t, "GET", "/api/v1/admin/users", undefined, root.accessToken),
      await send(t, "GET", `/api/v1/admin/users/${session.userId}`, undefined, root.accessToken),
      await send(t, "GET", "/api/v1/admin/audit-logs", undefined, root.accessToken),
      await send(t, "GET", "/health/details", undefined, root.accessToken),
      await post(t, "/api/v1/auth/login", { email: user.email, password: "wrong-password-1" }),
    ];
    for (const answer of answers) expect(answer.headers["cache-control"]).toBe("no-store");
    expect(login.status).toBe(200);
    expect(refresh.status).toBe(200);
  });

  it("NUL-byte injection: a NUL in any field or query of any endpoint is a 400 VALIDATION_ERROR, never a 500", async () => {
    const user = uniqueUser("nul");
    const session = await registerAndLogIn(t, user);
    const root = await logInRoot(t);
    const nul = "a\u0000b";
    const calls = [
      await post(t, "/api/v1/auth/register", { ...uniqueUser(), email: `x${nul}@example.com` }),
      await post(t, "/api/v1/auth/register", { ...uniqueUser(), username: `u${nul}` }),
      await post(t, "/api/v1/auth/register", { ...uniqueUser(), full_name: nul }),
      await post(t, "/api/v1/auth/login", { email: `x${nul}@example.com`, password: user.password }),
      await post(t, "/api/v1/auth/reactivate", { email: `x${nul}@example.com`, password: user.password }),
      await post(t, "/api/v1/auth/forgot-password", { email: `x${nul}@example.com` }),
      await post(t, "/api/v1/register/resend", { email: `x${nul}@example.com` }),
      await post(t, "/api/v1/register/verify", { email: `x${nul}@example.com`, code: "123456" }),
      await send(t, "PUT", "/api/v1/users/me", { full_name: nul }, session.accessToken),
      await send(t, "PUT", "/api/v1/users/me", { phone_number: nul }, session.accessToken),
      await send(t, "PUT", `/api/v1/admin/users/${session.userId}`, { full_name: nul }, root.accessToken),
      await send(t, "POST", "/api/v1/admin/users", { ...uniqueUser(), organization: nul }, root.accessToken),
      await send(t, "GET", `/api/v1/admin/users?search=${encodeURIComponent(nul)}`, undefined, root.accessToken),
      await send(t, "POST", "/api/v1/admin/roles", { name: "role_x", description: nul }, root.accessToken),
    ];
    for (const call of calls) {
      expect(call.status, JSON.stringify(call.body)).toBe(400);
      expect(errorCode(call.body)).toBe("VALIDATION_ERROR");
      expect(JSON.stringify(call.body)).toContain("must not contain NUL bytes");
    }
    const [row] = await t.query<{ full_name: string | null }>(
      sql`SELECT full_name FROM users WHERE id = ${session.userId}`,
    );
    expect(row?.full_name ?? "").not.toContain("\u0000");
  });

  it("X-Forwarded-For from a trusted proxy with a port or garbage never answers 500: the port is dropped, garbage ignored", async () => {
    const user = uniqueUser("xff");
    await registerAndLogIn(t, user);
    const cases = [
      { forwarded: "203.0.113.7:4711", audited: "203.0.113.7" },
      { forwarded: "[2001:db8::7]:443", audited: "2001:db8::7" },
      { forwarded: "unknown", audited: "127.0.0.1" },
      { forwarded: "not an address, 999.1.1.1", audited: "127.0.0.1" },
    ];
    for (const { forwarded, audited } of cases) {
      const login = await sendWith(t, "POST", "/api/v1/auth/login", {
        payload: { email: user.email, password: user.password },
        headers: { "x-forwarded-for": forwarded },
      });
      expect(login.status, `${forwarded}: ${JSON.stringify(login.body)}`).toBe(200);
      const [entry] = await t.query<{ ip: string }>(
        sql`SELECT host(ip_address) AS ip FROM audit_logs WHERE request_id = ${String(login.headers["x-request-id"])}`,
      );
      expect(entry?.ip).toBe(audited);
      const failed = await sendWith(t, "POST", "/api/v1/auth/login", {
        payload: { email: user.email, password: "wrong-password-1" },
        headers: { "x-forwarded-for": forwarded },
      });
      expect(failed.status).toBe(401);
    }
  });

  it("a request too malformed for HTTP parsing (unknown method, huge header) gets its raw 400 with the security headers", async () => {
    const answers = [
      await rawExchange(t, "BREW /api/v1/auth/me HTTP/1.1\r\nHost: x\r\n\r\n"),
      await rawExchange(t, `GET /api/v1/auth/me HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`),
    ];
    for (const answer of answers) {
      const head = answer.slice(0, answer.indexOf("\r\n\r\n")).toLowerCase();
      expect(head).toMatch(/^http\/1\.1 400/);
      expect(head).toContain("x-content-type-options: nosniff");
      expect(head).toContain("x-frame-options: deny");
      expect(head).toContain("content-security-policy: default-src 'none'");
      expect(head).toContain("strict-transport-security: max-age=31536000");
      expect(head).toContain("cache-control: no-store");
      expect(answer).toContain('"code":"VALIDATION_ERROR"');
    }
  });
});

describe("development mailbox exposure", () => {
  const TOKEN = "dev-mailbox-token-long-enough-123";
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ TRUST_PROXY: "1", DEV_MAILBOX_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await t.close();
  });

  const read = (remoteAddress: string, headers: Record<string, string> = {}) =>
    t.app.inject({ method: "GET", url: "/dev/mailbox", remoteAddress, headers });

  it("a network client cannot read every mailed code: /dev/mailbox answers 404 unless the client is loopback", async () => {
    expect((await read("127.0.0.1")).statusCode).toBe(200);
    expect((await read("::1")).statusCode).toBe(200);
    const remote = await read("192.168.1.20");
    expect(remote.statusCode).toBe(404);
    expect(remote.json().error.code).toBe("NOT_FOUND");
    expect(remote.body).not.toContain("mails");
  });

  it("a proxy on loopback does not open it: the forwarded client must be loopback too", async () => {
    expect((await read("127.0.0.1", { "x-forwarded-for": "198.51.100.4" })).statusCode).toBe(404);
    expect((await read("192.168.1.20", { "x-forwarded-for": "127.0.0.1" })).statusCode).toBe(404);
  });

  it("DEV_MAILBOX_TOKEN opens it to a network client sending the token, and only the exact token", async () => {
    expect((await read("192.168.1.20", { authorization: `Bearer ${TOKEN}` })).statusCode).toBe(200);
    expect((await read("192.168.1.20", { authorization: `Bearer ${TOKEN}x` })).statusCode).toBe(404);
    expect((await read("192.168.1.20", { authorization: "Bearer " })).statusCode).toBe(404);
  });

  it("start-up logs a warning line whenever the mailbox is on, and none with SMTP_URL", async () => {
    const warnings = async (env: Record<string, string>) => {
      const logger = createLogger({ level: "silent", pretty: false });
      const warn = vi.spyOn(logger, "warn");
      const database = await createTestDatabase("pglite");
      const config = loadConfig({ JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: "silent", ...env }, "/tmp");
      const server = await createServer(config, logger, { database: database.handle });
      await server.close();
      return warn.mock.calls.map((call) => String(call.at(-1)));
    };
    expect((await warnings({})).some((line) => line.includes("development mailbox is on"))).toBe(true);
    const withSmtp = await warnings({ SMTP_URL: "smtp://127.0.0.1:2525" });
    expect(withSmtp.some((line) => line.includes("development mailbox"))).toBe(false);
  });
});
