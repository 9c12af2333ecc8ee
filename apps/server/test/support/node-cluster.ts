import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { RATE_LIMIT_ENV } from "@gatehouse/infrastructure";
import { createTestDatabase, postgresTestUrl, type TestDatabase } from "@gatehouse/infrastructure/testing";
import { type PrivateRedis, redisServerMissing, startPrivateRedis } from "@gatehouse/infrastructure/testing/redis";
import { TEST_JWT_SECRET } from "./test-server.js";

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url));

export interface JsonResponse {
  readonly status: number;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted field by field
  readonly body: any;
}

/** One `node apps/server/dist/main.js` process of the cluster. */
export interface ServerNode {
  readonly name: string;
  readonly baseUrl: string;
  request(
    method: string,
    path: string,
    options?: { body?: unknown; token?: string; headers?: Record<string, string> },
  ): Promise<JsonResponse>;
  output(): string;
}

/** N server processes on free ports sharing one PostgreSQL database and one private Redis. */
export interface NodeCluster {
  readonly nodes: readonly ServerNode[];
  readonly redis: PrivateRedis;
  readonly database: TestDatabase;
  /** Kills node `index` with SIGKILL (no graceful shutdown; SIGTERM: graceful) and waits until it is gone. */
  kill(index: number, signal?: "SIGKILL" | "SIGTERM"): Promise<void>;
  close(): Promise<void>;
}

/** Limits high enough that tests about other things never meet a 429 (they share one address). */
const RELAXED_RATE_LIMITS = {
  ...Object.fromEntries(Object.values(RATE_LIMIT_ENV).map((prefix) => [`${prefix}_REQUESTS`, "1000000"])),
  LOGIN_DELAY_MAX_SECONDS: "0",
};

/** Why the scale-out tests cannot run here, or undefined. */
export function nodeClusterMissing(): string | undefined {
  if (postgresTestUrl() === undefined)
    return "set DATABASE_URL (or TEST_DATABASE_URL): the scale-out tests need a PostgreSQL server";
  return redisServerMissing();
}

async function startNode(
  name: string,
  env: Record<string, string>,
): Promise<{ node: ServerNode; child: ChildProcess }> {
  const { DATABASE_URL: _ignored, ...parentEnv } = process.env;
  const child = spawn(process.execPath, ["apps/server/dist/main.js"], {
    cwd: repoRoot,
    env: {
      ...parentEnv,
      DATA_DIR: mkdtempSync(join(tmpdir(), "gh-node-")),
      APP_HOST: "127.0.0.1",
      APP_PORT: "0",
      LOG_PRETTY: "false",
      LOG_LEVEL: "info",
      JWT_SECRET: TEST_JWT_SECRET,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Gatehouse listening on (http:\/\/[^\s]+) /.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${name} exited with ${code}:\n${output}`)));
  });
  const node: ServerNode = {
    name,
    baseUrl,
    output: () => output,
    async request(method, path, options = {}) {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          ...(options.body === undefined ? {} : { "content-type": "application/json" }),
          ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
          ...options.headers,
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: text === "" ? undefined : JSON.parse(text) };
    },
  };
  return { node, child };
}

/**
 * Starts `count` server processes (the built `dist/main.js`) on one private PostgreSQL database
 * (directly, or `through` the PgBouncer tier)
 * and one private `redis-server`, which a test may stop and start. Rate limits are relaxed and
 * sign-up makes active users (no email verification) unless `env` (added to every node) says
 * otherwise, so scale-out tests are about nodes, not about the registration lifecycle.
 */
export async function startNodeCluster(
  options: { count?: number; env?: Record<string, string>; through?: "postgres" | "pgbouncer" } = {},
): Promise<NodeCluster> {
  // `pgbouncer`: every node reaches the database through the tier's transaction-mode PgBouncer.
  const database = await createTestDatabase(options.through ?? "postgres");
  const redis = await startPrivateRedis();
  const children: ChildProcess[] = [];
  const close = async () => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGTERM");
          }),
      ),
    );
    await redis.dispose();
    await database.drop();
  };
  try {
    const env = {
      ...RELAXED_RATE_LIMITS,
      REQUIRE_EMAIL_VERIFICATION: "false",
      DATABASE_URL: database.url as string,
      ...(database.directUrl === undefined
        ? {}
        : { DATABASE_POOLER: "pgbouncer", DATABASE_MIGRATION_URL: database.directUrl }),
      REDIS_URL: redis.url,
      ...options.env,
    };
    const started = await Promise.all(
      Array.from({ length: options.count ?? 3 }, (_, index) => startNode(String.fromCharCode(65 + index), env)),
    );
    children.push(...started.map(({ child }) => child));
    const kill = async (index: number, signal: "SIGKILL" | "SIGTERM" = "SIGKILL") => {
      const child = children[index];
      if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill(signal);
      await exited;
    };
    return { nodes: started.map(({ node }) => node), redis, database, kill, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Registers a user on `node` and logs in; returns the tokens. */
export async function signUp(node: ServerNode, tag: string) {
  const user = { username: `${tag}_${Math.random().toString(36).slice(2, 8)}`, password: "Correct-Horse-9" };
  const email = `${user.username}@example.com`;
  const registered = await node.request("POST", "/api/v1/auth/register", { body: { ...user, email } });
  if (registered.status !== 201) throw new Error(`register failed: ${JSON.stringify(registered.body)}`);
  const login = await node.request("POST", "/api/v1/auth/login", { body: { email, password: user.password } });
  if (login.status !== 200) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
  return {
    email,
    password: user.password,
    userId: login.body.data.user.id as string,
    accessToken: login.body.data.access_token as string,
    refreshToken: login.body.data.refresh_token as string,
  };
}

export async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, what: string): Promise<T> {
  const until = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}: last ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
