import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

interface Running {
  readonly child: ChildProcess;
  readonly baseUrl: string;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

/**
 * Starts the built server exactly as `pnpm start` does (`node apps/server/dist/main.js` from the
 * repository root) on the embedded default, and waits for its "listening" line.
 */
async function startServer(env: Record<string, string>): Promise<Running> {
  // Regression: a DATA_DIR that does not exist yet (a fresh clone) once failed with ENOENT,
  // because PGlite does not create parent folders. Never pre-create it here.
  const dataDir = join(mkdtempSync(join(tmpdir(), "gh-e2e-")), "fresh", ".data");
  const { DATABASE_URL: _db, ...parentEnv } = process.env;
  const child = spawn(process.execPath, ["apps/server/dist/main.js"], {
    cwd: repoRoot,
    env: { ...parentEnv, DATA_DIR: dataDir, APP_HOST: "127.0.0.1", APP_PORT: "0", LOG_PRETTY: "false", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Gatehouse listening on (http:\/\/[^\s]+) \(Swagger UI: ([^)]+)\)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    void exited.then((code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  return { child, baseUrl, output: () => output, exited };
}

/**
 * One request on its own connection (no keep-alive pool), so the shutdown test measures the
 * server's draining, not a client reusing a pooled socket at the moment the server closes it.
 */
interface ApiBody {
  readonly success?: boolean;
  readonly message?: string;
  readonly data?: Record<string, unknown>;
  readonly error?: { readonly code: string; readonly message: string };
}

function call(base: string, method: string, path: string, body?: unknown, token?: string) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise<{ status: number; body: ApiBody }>((resolve, reject) => {
    const request = httpRequest(
      `${base}${path}`,
      {
        method,
        agent: false,
        headers: {
          ...(payload === undefined ? {} : { "content-type": "application/json" }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => {
          text += chunk;
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as ApiBody }));
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(payload);
  });
}

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

describe("end to end: the real server process over real HTTP", () => {
  let server: Running;
  beforeAll(async () => {
    server = await startServer({ REFRESH_REUSE_GRACE_SECONDS: "0", ARGON2_MAX_CONCURRENCY: "1", LOG_LEVEL: "debug" });
  });
  afterAll(async () => {
    if (server.child.exitCode === null) server.child.kill("SIGKILL");
  });

  it("prints where it listens and where Swagger UI is, and serves both", async () => {
    expect(server.output()).toMatch(/Swagger UI: http:\/\/127\.0\.0\.1:\d+\/swagger-ui/);
    const docs = await fetch(`${server.baseUrl}/openapi.json`);
    expect(docs.status).toBe(200);
  });

  it("register → login → me → refresh → reuse → logout", async () => {
    const base = server.baseUrl;
    const user = { username: "e2e_user", email: "e2e@example.com", password: "Correct-Horse-9" };
    expect((await call(base, "POST", "/api/v1/auth/register", user)).status).toBe(201);
    const login = await call(base, "POST", "/api/v1/auth/login", { email: user.email, password: user.password });
    expect(login.status).toBe(200);
    const first = login.body.data as { access_token: string; refresh_token: string };
    const me = await call(base, "GET", "/api/v1/auth/me", undefined, first.access_token);
    expect(me.body.data?.email).toBe(user.email);

    const rotated = await call(base, "POST", "/api/v1/auth/refresh", { refresh_token: first.refresh_token });
    expect(rotated.status).toBe(200);
    const second = rotated.body.data as { access_token: string; refresh_token: string };

    const replay = await call(base, "POST", "/api/v1/auth/refresh", { refresh_token: first.refresh_token });
    expect(replay.status).toBe(401);
    expect(replay.body.error?.code).toBe("REFRESH_TOKEN_REVOKED");
    expect((await call(base, "GET", "/api/v1/auth/me", undefined, second.access_token)).body.error?.code).toBe(
      "SESSION_REVOKED",
    );

    const again = await call(base, "POST", "/api/v1/auth/login", { email: user.email, password: user.password });
    const third = again.body.data as { access_token: string };
    const logout = await call(base, "POST", "/api/v1/auth/logout", {}, third.access_token);
    expect(logout.body).toEqual({ success: true, message: "Logged out successfully" });
    expect((await call(base, "GET", "/api/v1/auth/me", undefined, third.access_token)).status).toBe(401);
  });

  it("on SIGTERM finishes in-flight requests, then exits 0", async () => {
    const base = server.baseUrl;
    const user = { username: "e2e_slow", email: "slow@example.com", password: "Correct-Horse-9" };
    await call(base, "POST", "/api/v1/auth/register", user);
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
