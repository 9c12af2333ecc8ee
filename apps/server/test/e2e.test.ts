import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, type RunningServer, repoRoot, startServerProcess } from "./support/server-process.js";

function countReceived(output: string, url: string): number {
  return output.split("\n").filter((line) => line.includes('"request received"') && line.includes(`"url":"${url}"`))
    .length;
}

async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Registration as the quick start does it with the default REQUIRE_EMAIL_VERIFICATION: the
 * verification mail lands in the development mailbox (no SMTP_URL), its code verifies the account.
 */
async function registerVerified(base: string, user: { username: string; email: string; password: string }) {
  const registered = await call(base, "POST", "/api/v1/auth/register", user);
  expect(registered.status).toBe(201);
  expect(registered.body.data?.status).toBe("pending_verification");
  const deadline = Date.now() + 20_000;
  let text: string | undefined;
  while (text === undefined) {
    if (Date.now() > deadline) throw new Error(`no verification mail for ${user.email}`);
    const box = await call(base, "GET", `/dev/mailbox?to=${encodeURIComponent(user.email)}`);
    text = (box.body.data?.mails as Array<{ text: string }> | undefined)?.[0]?.text;
    if (text === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const code = /\b(\d{6})\b/.exec(text)?.[1];
  const verified = await call(base, "POST", "/api/v1/register/verify", { email: user.email, code });
  expect(verified.body.data?.status).toBe("active");
}

describe("end to end: the real server process over real HTTP", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServerProcess({
      REFRESH_REUSE_GRACE_SECONDS: "0",
      ARGON2_MAX_CONCURRENCY: "1",
      LOG_LEVEL: "debug",
      // The shutdown test sends twenty logins for one account from one address at once: the default
      // 5 a minute per address, the 10 attempts in flight per account, and the progressive delay
      // (3 untrusted attempts in flight per account and network) would refuse some.
      RATE_LIMIT_AUTH_REQUESTS: "100",
      RATE_LIMIT_LOGIN_FAILURES_REQUESTS: "100",
      LOGIN_DELAY_MAX_SECONDS: "0",
      MAIL_POLL_INTERVAL_MS: "50",
    });
  });
  afterAll(async () => {
    if (server.child.exitCode === null) server.child.kill("SIGKILL");
  });

  it("prints where it listens and where Swagger UI is, and serves both", async () => {
    expect(server.output()).toMatch(/Swagger UI: http:\/\/127\.0\.0\.1:\d+\/swagger-ui/);
    const docs = await fetch(`${server.baseUrl}/openapi.json`);
    expect(docs.status).toBe(200);
  });

  it("register → (code from the dev mailbox) verify → login → me → refresh → reuse → logout", async () => {
    const base = server.baseUrl;
    const user = { username: "e2e_user", email: "e2e@example.com", password: "Correct-Horse-9" };
    await registerVerified(base, user);
    const login = await call(base, "POST", "/api/v1/auth/login", { email: user.email, password: user.password });
    expect(login.status).toBe(200);
    const first = login.body.data as { access_token: string; refresh_token: string };
    const me = await call(base, "GET", "/api/v1/auth/me", undefined, first.access_token);
    expect(me.body.data?.email).toBe(user.email);

    const rotated = await call(base, "POST", "/api/v1/auth/refresh", { refresh_token: first.refresh_token });
    expect(rotated.status).toBe(200);
    const second = rotated.body.data as { access_token: string; refresh_token: string };
    // The client uses its new token; only then is the old one a replay, not a retry of a lost answer.
    const used = await call(base, "POST", "/api/v1/auth/refresh", { refresh_token: second.refresh_token });
    expect(used.status).toBe(200);
    const third = used.body.data as { access_token: string };

    const replay = await call(base, "POST", "/api/v1/auth/refresh", { refresh_token: first.refresh_token });
    expect(replay.status).toBe(401);
    expect(replay.body.error?.code).toBe("REFRESH_TOKEN_REVOKED");
    expect((await call(base, "GET", "/api/v1/auth/me", undefined, third.access_token)).body.error?.code).toBe(
      "SESSION_REVOKED",
    );

    const again = await call(base, "POST", "/api/v1/auth/login", { email: user.email, password: user.password });
    const fourth = again.body.data as { access_token: string };
    const logout = await call(base, "POST", "/api/v1/auth/logout", {}, fourth.access_token);
    expect(logout.body).toEqual({ success: true, message: "Logged out successfully" });
    expect((await call(base, "GET", "/api/v1/auth/me", undefined, fourth.access_token)).status).toBe(401);
  });

  it("on SIGTERM finishes in-flight requests, then exits 0", async () => {
    const base = server.baseUrl;
    const user = { username: "e2e_slow", email: "slow@example.com", password: "Correct-Horse-9" };
    await registerVerified(base, user);
    // With one argon2 slot, twenty logins queue for several hundred milliseconds: slow requests.
    // SIGTERM only once the server has read all twenty requests: a connection whose request
    // has not been read yet counts as idle and is closed at shutdown, by design.
    const receivedBefore = countReceived(server.output(), "/api/v1/auth/login");
    const inFlight = Array.from({ length: 20 }, () =>
      call(base, "POST", "/api/v1/auth/login", { email: user.email, password: user.password }),
    );
    await waitFor(() => countReceived(server.output(), "/api/v1/auth/login") >= receivedBefore + 20);
    server.child.kill("SIGTERM");
    const answers = await Promise.all(inFlight);
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    expect(await server.exited).toBe(0);
    expect(server.output()).toContain("shutdown complete");
  });
});

describe("end to end: configuration errors", () => {
  it("refuses to start in production without JWT_SECRET, naming the variable in one line", async () => {
    const child = spawn(process.execPath, ["apps/server/dist/main.js"], {
      cwd: repoRoot,
      env: { ...process.env, NODE_ENV: "production", JWT_SECRET: "", DATA_DIR: mkdtempSync(join(tmpdir(), "gh-e2e-")) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toContain("JWT_SECRET");
  });
});
