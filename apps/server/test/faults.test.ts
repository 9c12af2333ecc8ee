import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { RATE_LIMIT_ENV } from "@gatehouse/infrastructure";
import { type PrivateRedis, redisServerMissing, startPrivateRedis } from "@gatehouse/infrastructure/testing/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  freeLoopbackPort,
  type PrivatePostgres,
  privatePostgresMissing,
  startPrivatePostgres,
} from "./support/private-postgres.js";
import { type RunningServer, startServerProcess } from "./support/server-process.js";
import { TEST_JWT_SECRET } from "./support/test-server.js";

/**
 * Dependency faults against real processes: a PostgreSQL cluster and a redis-server of this
 * file's own, restarted, frozen (SIGSTOP) and stopped under Gatehouse processes (README, "When a
 * dependency fails"). Skipped with one line where initdb or redis-server is missing; in CI that
 * is a failure instead.
 */
const missing = privatePostgresMissing() ?? redisServerMissing();
if (missing !== undefined) {
  if (process.env.CI === "true") throw new Error(`fault tests cannot run in CI: ${missing}`);
  console.warn(`fault tests skipped: ${missing}`);
}

const run = promisify(execFile);
const QUERY_TIMEOUT_MS = 1500;
const RELAXED = Object.fromEntries(Object.values(RATE_LIMIT_ENV).map((prefix) => [`${prefix}_REQUESTS`, "1000000"]));
const BASE_ENV = {
  ...RELAXED,
  JWT_SECRET: TEST_JWT_SECRET,
  REQUIRE_EMAIL_VERIFICATION: "false",
  LOG_LEVEL: "info",
  DATABASE_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
  SHUTDOWN_TIMEOUT_SECONDS: "15",
};

interface Reply {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: asserted field by field
  readonly body: any;
  readonly ms: number;
}

/** One request, bounded by `limitMs` on the client side so a hang fails the test instead of stalling it. */
async function send(base: string, method: string, path: string, body?: unknown, limitMs = 10_000): Promise<Reply> {
  const started = performance.now();
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(limitMs),
  });
  const text = await response.text();
  return { status: response.status, body: text === "" ? undefined : JSON.parse(text), ms: performance.now() - started };
}

async function signUp(base: string, tag: string) {
  const username = `${tag}_${Math.random().toString(36).slice(2, 8)}`;
  const email = `${username}@example.com`;
  const password = "Correct-Horse-9";
  const registered = await send(base, "POST", "/api/v1/auth/register", { username, email, password });
  expect(registered.status).toBe(201);
  const login = await send(base, "POST", "/api/v1/auth/login", { email, password });
  expect(login.status).toBe(200);
  return { email, password, refreshToken: login.body.data.refresh_token as string };
}

async function until<T>(probe: () => Promise<T>, accept: (value: T) => boolean, what: string, ms = 20_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch((error: unknown) => error as T);
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stopProcess(server: RunningServer | undefined): Promise<void> {
  if (server === undefined || server.child.exitCode !== null) return;
  server.child.kill("SIGTERM");
  await server.exited;
}

describe.skipIf(missing !== undefined)("dependency faults (private PostgreSQL and Redis)", () => {
  let postgres: PrivatePostgres;
  let redis: PrivateRedis;
  let redisPid: number;

  beforeAll(async () => {
    [postgres, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
    const { stdout } = await run("redis-cli", ["-p", String(redis.port), "INFO", "server"], { timeout: 2000 });
    redisPid = Number(/process_id:(\d+)/.exec(stdout)?.[1]);
  }, 90_000);
  afterAll(async () => {
    await postgres?.dispose();
    await redis?.dispose();
  });

  describe("one node on PostgreSQL (no Redis)", () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await startServerProcess({ ...BASE_ENV, DATABASE_URL: postgres.url });
    }, 90_000);
    afterAll(async () => {
      await stopProcess(server);
      if (server !== undefined) writeFileSync(join(tmpdir(), "gh-faults-node.log"), server.output());
    });

    it("survives 20 PostgreSQL restarts under refresh load, loses no session, serves within 2 s", async () => {
      const sessions = await Promise.all([0, 1, 2, 3].map((index) => signUp(server.baseUrl, `restart${index}`)));
      const lost: string[] = [];
      let stop = false;
      // Each session refreshes in a loop and retries the same token after a failure, as a client would.
      const load = sessions.map(async (session) => {
        while (!stop) {
          const reply = await send(server.baseUrl, "POST", "/api/v1/auth/refresh", {
            refresh_token: session.refreshToken,
          }).catch(() => undefined);
          if (reply?.status === 200) session.refreshToken = reply.body.data.refresh_token;
          else if (reply !== undefined && reply.status !== 503) lost.push(`${reply.status} ${reply.body?.error?.code}`);
          if (reply?.status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
        }
      });
      const recoveries: number[] = [];
      for (let round = 0; round < 20; round++) {
        await new Promise((resolve) => setTimeout(resolve, 150));
        await postgres.stop(round % 4 === 3 ? "fast" : "immediate");
        await postgres.start();
        const back = performance.now();
        await until(
          () => send(server.baseUrl, "GET", "/health/ready"),
          (reply) => reply.status === 200,
          "readiness",
        );
        recoveries.push(performance.now() - back);
        expect(server.child.exitCode).toBeNull();
      }
      stop = true;
      await Promise.all(load);
      expect(server.child.exitCode).toBeNull();
      expect(lost).toEqual([]);
      for (const session of sessions) {
        const reply = await send(server.baseUrl, "POST", "/api/v1/auth/refresh", {
          refresh_token: session.refreshToken,
        });
        expect(reply.status).toBe(200);
      }
      expect(Math.max(...recoveries)).toBeLessThan(2000);
      expect(server.output()).not.toContain("Cannot read properties of null");
    }, 150_000);

    it("ends login, refresh and register with 503 within the query timeout on a frozen PostgreSQL, and recovers on SIGCONT", async () => {
      const session = await signUp(server.baseUrl, "frozen");
      postgres.freeze();
      let replies: Reply[];
      try {
        replies = await Promise.all([
          send(server.baseUrl, "POST", "/api/v1/auth/login", { email: session.email, password: session.password }),
          send(server.baseUrl, "POST", "/api/v1/auth/refresh", { refresh_token: session.refreshToken }),
          send(server.baseUrl, "POST", "/api/v1/auth/register", {
            username: `frozen_${Date.now()}`,
            email: `frozen_${Date.now()}@example.com`,
            password: "Correct-Horse-9",
          }),
        ]);
      } finally {
        postgres.thaw();
      }
      for (const reply of replies) {
        expect(reply.status).toBe(503);
        expect(reply.body).toMatchObject({ success: false, error: { code: "SERVICE_UNAVAILABLE" } });
        expect(typeof reply.body.error.request_id).toBe("string");
      }
      // The retried refresh is served, whether or not the frozen attempt committed later.
      const retried = await until(
        () => send(server.baseUrl, "POST", "/api/v1/auth/refresh", { refresh_token: session.refreshToken }),
        (reply) => reply.status !== 503,
        "service after SIGCONT",
      );
      expect(retried.status).toBe(200);
    }, 60_000);
  });

  it("starts degraded with Redis down, bounds a frozen Redis and recovers on SIGCONT", async () => {
    const downPort = await freeLoopbackPort();
    const degraded = await startServerProcess({ ...BASE_ENV, REDIS_URL: `redis://127.0.0.1:${downPort}` });
    try {
      const ready = await send(degraded.baseUrl, "GET", "/health/ready");
      expect(ready.status).toBe(200);
      expect(ready.body.status).toBe("degraded");
    } finally {
      await stopProcess(degraded);
    }

    const server = await startServerProcess({
      ...BASE_ENV,
      DATABASE_URL: postgres.url,
      REDIS_URL: redis.url,
      REDIS_COMMAND_TIMEOUT_MS: "200",
    });
    try {
      const session = await signUp(server.baseUrl, "redis");
      process.kill(redisPid, "SIGSTOP");
      try {
        // At most one command timeout per node, then the in-memory fallback serves.
        for (let index = 0; index < 3; index++) {
          const login = await send(server.baseUrl, "POST", "/api/v1/auth/login", {
            email: session.email,
            password: session.password,
          });
          expect(login.status).toBe(200);
        }
        const ready = await send(server.baseUrl, "GET", "/health/ready");
        expect(ready.status).toBe(200);
        expect(ready.body.status).toBe("degraded");
      } finally {
        process.kill(redisPid, "SIGCONT");
      }
      await until(
        () => send(server.baseUrl, "GET", "/health/ready"),
        (reply) => reply.status === 200 && reply.body.status === "ready",
        "readiness after SIGCONT",
      );
    } finally {
      await stopProcess(server);
    }
  }, 90_000);

  it("refuses to start with PostgreSQL down, naming DATABASE_URL and the cause on one line", async () => {
    const port = await freeLoopbackPort();
    await expect(
      startServerProcess({ ...BASE_ENV, DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/gatehouse` }),
    ).rejects.toThrow(
      `gatehouse: failed to start: DATABASE_URL: cannot connect to PostgreSQL at 127.0.0.1:${port}: connection refused`,
    );
  }, 60_000);

  it("exits 0 on SIGTERM under 20 keep-alive clients: no 5xx, no response cut, drained responses close", async () => {
    const server = await startServerProcess({
      ...BASE_ENV,
      DATABASE_URL: postgres.url,
      SHUTDOWN_DRAIN_DELAY_SECONDS: "1",
    });
    const user = await signUp(server.baseUrl, "sigterm");
    const login = JSON.stringify({ email: user.email, password: user.password });
    const agent = new Agent({ keepAlive: true, maxSockets: 20 });
    const statuses: number[] = [];
    const cut: string[] = [];
    const closedAfterSignal: boolean[] = [];
    let signalledAt: number | undefined;
    const one = () =>
      new Promise<void>((resolve) => {
        // Sent well after the signal landed: within the drain delay, answered with Connection: close.
        const sentAfterSignal = signalledAt !== undefined && performance.now() - signalledAt > 300;
        const options = { agent, method: "POST", headers: { "content-type": "application/json" } };
        const request = httpRequest(`${server.baseUrl}/api/v1/auth/login`, options, (response) => {
          if (sentAfterSignal) closedAfterSignal.push(response.headers.connection === "close");
          response.on("data", () => {});
          response.on("end", () => {
            statuses.push(response.statusCode ?? 0);
            resolve();
          });
          response.on("aborted", () => {
            cut.push("aborted");
            resolve();
          });
        });
        // Refused or reset before a response began: requests never read are the only ones refused.
        request.on("error", () => resolve());
        request.end(login);
      });
    const clients = Array.from({ length: 20 }, async () => {
      for (let index = 0; index < 200 && server.child.exitCode === null; index++) await one();
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    signalledAt = performance.now();
    server.child.kill("SIGTERM");
    const code = await server.exited;
    await Promise.all(clients);
    agent.destroy();
    expect(code).toBe(0);
    expect(cut).toEqual([]);
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    expect(statuses.length).toBeGreaterThan(20);
    expect(closedAfterSignal.length).toBeGreaterThan(0);
    expect(closedAfterSignal.every(Boolean)).toBe(true);
    expect(server.output()).not.toContain("shutdown timed out");
  }, 60_000);
});
