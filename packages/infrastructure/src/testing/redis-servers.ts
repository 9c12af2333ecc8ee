import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { RedisSettings } from "../config/config.js";
import { configuredRedisUrl } from "./test-services.js";

const run = promisify(execFile);

/** Polls `check` until it holds (connections, pub/sub and outages settle asynchronously). */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Stands for "no shared Redis in this run": a name that never resolves (`.invalid`), which
 * `redisAnswers` refuses without trying, so callers keep a plain string.
 */
export const NO_TEST_REDIS = "redis://no-test-redis-configured.invalid:6379";

/**
 * The shared Redis of a test run: TEST_REDIS_URL, else REDIS_URL, else the redis:7 container
 * the global setup started when Docker answered (published as TEST_REDIS_URL); otherwise
 * `NO_TEST_REDIS`, and the Redis cases are skipped (the in-memory adapters still run).
 */
export function sharedRedisUrl(env: NodeJS.ProcessEnv = process.env): string {
  return configuredRedisUrl(env) ?? NO_TEST_REDIS;
}

/**
 * Settings for a test run on a shared Redis: a random key prefix per run, so runs never see
 * each other's keys and nothing ever needs FLUSHDB.
 */
export function redisTestSettings(target: RedisSettings["target"], commandTimeoutMs = 200): RedisSettings {
  return { target, commandTimeoutMs, keyPrefix: `gh-test-${randomBytes(6).toString("hex")}:` };
}

/**
 * The command timeout of the contract suites, which assert what the adapters answer, not how
 * they handle a stall (the stall suites keep 200 ms on private servers they freeze). Regression:
 * at 200 ms the rate-limiter contract failed with RedisStalledError on a CI machine at load
 * average 36, where the shared Redis answered late without being stalled.
 */
export const CONTRACT_COMMAND_TIMEOUT_MS = 2000;

/** Why Redis-server tests cannot run here, or undefined when `redis-server` and `redis-cli` exist. */
export function redisServerMissing(): string | undefined {
  for (const binary of ["redis-server", "redis-cli"]) {
    const probe = spawnSync(binary, ["--version"], { stdio: "ignore" });
    if (probe.error !== undefined || probe.status !== 0) {
      return `${binary} is not installed: the tests that start private Redis servers are skipped`;
    }
  }
  return undefined;
}

/** Whether something answers PING at `url` (the shared test Redis may be absent). */
export async function redisAnswers(url: string): Promise<boolean> {
  if (url === NO_TEST_REDIS) return false;
  const { hostname, port } = new URL(url);
  try {
    const { stdout } = await run("redis-cli", ["-h", hostname, "-p", port || "6379", "PING"], { timeout: 2000 });
    return stdout.trim() === "PONG";
  } catch {
    return false;
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

/** A free loopback port whose cluster-bus twin (port + 10000) is free too. */
export async function freeRedisPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 30_000);
    if ((await portIsFree(port)) && (await portIsFree(port + 10_000))) return port;
  }
  throw new Error("no free port pair for redis-server");
}

async function waitForPing(port: number, deadlineMs = 10_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (await redisAnswers(`redis://127.0.0.1:${port}`)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server on port ${port} did not answer within ${deadlineMs} ms`);
}

/** A private `redis-server` that a test may stop and start again (same port, data kept in memory only). */
export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** Writes the data to disk (SAVE), so the next `start()` comes back with it. */
  persist(): Promise<void>;
  /** Kills the server (SIGKILL: an outage, not a clean shutdown). */
  stop(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** Stops it for good and removes its files. */
  dispose(): Promise<void>;
}

function spawnRedis(port: number, dir: string, extra: readonly string[]): ChildProcess {
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no"];
  return spawn("redis-server", [...args, ...extra], { stdio: "ignore" });
}

async function killed(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

export async function startPrivateRedis(extra: readonly string[] = []): Promise<PrivateRedis> {
  const port = await freeRedisPort();
  const dir = mkdtempSync(join(tmpdir(), "gh-redis-"));
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawnRedis(port, dir, extra);
    await waitForPing(port);
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    persist: async () => {
      await run("redis-cli", ["-p", String(port), "SAVE"], { timeout: 5000 });
    },
    stop: () => killed(child),
    start,
    async dispose() {
      await killed(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PrivateRedisCluster {
  /** `127.0.0.1:port` of each master, as REDIS_CLUSTER_NODES takes them. */
  readonly nodes: readonly string[];
  readonly nodeUrls: readonly string[];
  dispose(): Promise<void>;
}

async function clusterIsOk(port: number): Promise<boolean> {
  const { stdout } = await run("redis-cli", ["-p", String(port), "CLUSTER", "INFO"], { timeout: 2000 });
  return stdout.includes("cluster_state:ok");
}

/** Three masters in cluster mode on loopback ports, slots spread by `redis-cli --cluster create`. */
export async function startPrivateRedisCluster(): Promise<PrivateRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), "gh-redis-cluster-"));
  const ports: number[] = [];
  const children: ChildProcess[] = [];
  const dispose = async () => {
    await Promise.all(children.map((child) => killed(child)));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let index = 0; index < 3; index++) {
      let port = await freeRedisPort();
      while (ports.includes(port)) port = await freeRedisPort();
      ports.push(port);
      const extra = [
        "--cluster-enabled",
        "yes",
        "--cluster-config-file",
        join(dir, `nodes-${port}.conf`),
        "--cluster-node-timeout",
        "2000",
      ];
      children.push(spawnRedis(port, dir, extra));
    }
    await Promise.all(ports.map((port) => waitForPing(port)));
    const nodes = ports.map((port) => `127.0.0.1:${port}`);
    await run("redis-cli", ["--cluster", "create", ...nodes, "--cluster-replicas", "0", "--cluster-yes"], {
      timeout: 30_000,
    });
    const until = Date.now() + 20_000;
    while (!(await Promise.all(ports.map(clusterIsOk))).every(Boolean)) {
      if (Date.now() > until) throw new Error("the test Redis Cluster did not reach cluster_state:ok");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { nodes, nodeUrls: nodes.map((node) => `redis://${node}`), dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** A Redis the contract suites run against, started (or joined, with a fresh prefix) per file. */
export interface RedisTestTarget {
  readonly name: string;
  start(): Promise<{ readonly settings: RedisSettings; dispose(): Promise<void> }>;
}

/**
 * The shared Redis (when it answers) and a private 3-master Redis Cluster (when `redis-server`
 * is installed). What is skipped is said once on stderr, so a green run without Redis is visible.
 */
export async function redisTestTargets(): Promise<RedisTestTarget[]> {
  const targets: RedisTestTarget[] = [];
  const url = sharedRedisUrl();
  if (await redisAnswers(url)) {
    targets.push({
      name: "Redis",
      start: async () => ({
        settings: redisTestSettings({ kind: "single", url }, CONTRACT_COMMAND_TIMEOUT_MS),
        dispose: async () => {},
      }),
    });
  } else {
    console.warn(
      url === NO_TEST_REDIS
        ? "no TEST_REDIS_URL/REDIS_URL and no Docker: the shared-Redis contract runs are skipped"
        : `nothing answers at ${url}: the Redis contract runs are skipped`,
    );
  }
  const missing = redisServerMissing();
  if (missing === undefined) {
    targets.push({
      name: "Redis Cluster",
      async start() {
        const cluster = await startPrivateRedisCluster();
        return {
          settings: redisTestSettings({ kind: "cluster", nodeUrls: cluster.nodeUrls }, CONTRACT_COMMAND_TIMEOUT_MS),
          dispose: () => cluster.dispose(),
        };
      },
    });
  } else {
    console.warn(missing);
  }
  return targets;
}
