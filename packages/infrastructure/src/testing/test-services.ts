import { existsSync } from "node:fs";
import { request } from "node:http";
import { homedir } from "node:os";
import { join } from "node:path";

/*
 * Where a test run finds its PostgreSQL and its Redis (README "Running the tests"):
 *   1. TEST_DATABASE_URL / DATABASE_URL and TEST_REDIS_URL / REDIS_URL, when set;
 *   2. else, when a Docker engine answers, containers started with testcontainers
 *      (postgres:15, redis:7), published to the test files as TEST_DATABASE_URL / TEST_REDIS_URL;
 *   3. else none: the suites run on PGlite and the in-memory adapters only.
 * The vitest global setup (global-setup.ts) runs this once per test run.
 */

/** Where one service of a test run comes from. */
export type TestServiceSource = "environment" | "container" | "none";

export interface SelectedService {
  readonly source: TestServiceSource;
  readonly url: string | undefined;
}

export interface TestServices {
  readonly postgres: SelectedService;
  readonly redis: SelectedService;
  /** What the test files must see: the URLs of started containers. */
  readonly env: Readonly<Record<string, string>>;
  /** Stops the containers this selection started. */
  stop(): Promise<void>;
}

/** A started container, as far as the tests care. */
export interface StartedService {
  readonly url: string;
  stop(): Promise<void>;
}

/** The Docker side of the selection, injectable so the middle branch is testable without Docker. */
export interface ContainerEngine {
  /** Whether a Docker engine answers; must be cheap when none exists. */
  answers(): Promise<boolean>;
  startPostgres(): Promise<StartedService>;
  startRedis(): Promise<StartedService>;
}

function configured(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}

/** The PostgreSQL server the run was given: TEST_DATABASE_URL, else DATABASE_URL. */
export function configuredPostgresUrl(env: NodeJS.ProcessEnv): string | undefined {
  return configured(env.TEST_DATABASE_URL) ?? configured(env.DATABASE_URL);
}

/** The Redis the run was given: TEST_REDIS_URL, else REDIS_URL. */
export function configuredRedisUrl(env: NodeJS.ProcessEnv): string | undefined {
  return configured(env.TEST_REDIS_URL) ?? configured(env.REDIS_URL);
}

interface Warn {
  warn(message: string): void;
}

/**
 * Picks both services in the order above. Docker is asked only when something is missing;
 * a container that fails to start (no image, no network) falls back to "none" with a warning
 * rather than failing every suite, and stops the container already started.
 */
export async function selectTestServices(
  env: NodeJS.ProcessEnv,
  engine: ContainerEngine,
  log: Warn = console,
): Promise<TestServices> {
  const postgresUrl = configuredPostgresUrl(env);
  const redisUrl = configuredRedisUrl(env);
  const fromEnv = (url: string | undefined): SelectedService =>
    url === undefined ? { source: "none", url: undefined } : { source: "environment", url };
  const nothingStarted = { env: {}, stop: async () => {} };
  if (postgresUrl !== undefined && redisUrl !== undefined) {
    return { postgres: fromEnv(postgresUrl), redis: fromEnv(redisUrl), ...nothingStarted };
  }
  if (!(await engine.answers())) {
    return { postgres: fromEnv(postgresUrl), redis: fromEnv(redisUrl), ...nothingStarted };
  }
  const starts = await Promise.allSettled([
    postgresUrl === undefined ? engine.startPostgres() : Promise.resolve(undefined),
    redisUrl === undefined ? engine.startRedis() : Promise.resolve(undefined),
  ]);
  const started = starts.flatMap((start) => (start.status === "fulfilled" && start.value ? [start.value] : []));
  const stop = async () => {
    await Promise.all(started.map((service) => service.stop()));
  };
  const failure = starts.find((start) => start.status === "rejected");
  if (failure !== undefined) {
    log.warn(
      `test services: Docker answers but a container did not start (${String(failure.reason)}); running without`,
    );
    await stop();
    return { postgres: fromEnv(postgresUrl), redis: fromEnv(redisUrl), ...nothingStarted };
  }
  const [postgresStart, redisStart] = starts.map((start) => (start.status === "fulfilled" ? start.value : undefined));
  const published: Record<string, string> = {};
  if (postgresStart !== undefined) published.TEST_DATABASE_URL = postgresStart.url;
  if (redisStart !== undefined) published.TEST_REDIS_URL = redisStart.url;
  const pick = (url: string | undefined, container: StartedService | undefined): SelectedService =>
    container === undefined ? fromEnv(url) : { source: "container", url: container.url };
  return { postgres: pick(postgresUrl, postgresStart), redis: pick(redisUrl, redisStart), env: published, stop };
}

/** Where a local Docker engine listens, in the order the Docker CLI and Docker Desktop use. */
export function dockerSocketCandidates(env: NodeJS.ProcessEnv): string[] {
  const runtimeDir = configured(env.XDG_RUNTIME_DIR);
  return [
    "/var/run/docker.sock",
    join(homedir(), ".docker", "run", "docker.sock"),
    join(homedir(), ".docker", "desktop", "docker.sock"),
    ...(runtimeDir === undefined ? [] : [join(runtimeDir, "docker.sock")]),
  ];
}

/** GET /_ping on the engine; "OK" within `timeoutMs` means it answers. */
function pings(target: { socketPath: string } | { host: string; port: number }, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const ping = request({ ...target, path: "/_ping", method: "GET", timeout: timeoutMs }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        body += chunk;
      });
      response.on("end", () => resolve(response.statusCode === 200 && body.trim() === "OK"));
    });
    ping.on("timeout", () => ping.destroy(new Error("timeout")));
    ping.on("error", () => resolve(false));
    ping.end();
  });
}

/**
 * Whether a Docker engine answers, at no noticeable cost when there is none: without
 * DOCKER_HOST and without a socket file this is a few `stat` calls; otherwise one ping with a
 * short timeout. DOCKER_HOST with TLS (DOCKER_TLS_VERIFY) is left to testcontainers: it counts
 * as answering when the port accepts a plain ping, else not.
 */
export async function dockerEngineAnswers(
  env: NodeJS.ProcessEnv,
  options: { socketPaths?: readonly string[]; timeoutMs?: number } = {},
): Promise<boolean> {
  const timeoutMs = options.timeoutMs ?? 500;
  const dockerHost = configured(env.DOCKER_HOST);
  if (dockerHost !== undefined) {
    const url = new URL(dockerHost);
    if (url.protocol === "unix:") return existsSync(url.pathname) && pings({ socketPath: url.pathname }, timeoutMs);
    if (url.protocol === "tcp:" || url.protocol === "http:") {
      return pings({ host: url.hostname, port: Number(url.port || 2375) }, timeoutMs);
    }
    return false;
  }
  const socketPath = (options.socketPaths ?? dockerSocketCandidates(env)).find((path) => existsSync(path));
  return socketPath !== undefined && pings({ socketPath }, timeoutMs);
}
