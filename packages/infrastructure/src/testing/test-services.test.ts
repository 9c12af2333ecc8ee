import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { NO_TEST_REDIS, redisAnswers, sharedRedisUrl } from "./redis-servers.js";
import { postgresTestUrl } from "./test-database.js";
import { dockerEngineAnswers, type StartedService, selectTestServices } from "./test-services.js";

/** A Docker engine that answers (or not) and records what it was asked to start and stop. */
function fakeEngine(answers: boolean, failing: "postgres" | "redis" | undefined = undefined) {
  const calls: string[] = [];
  const service = (name: string): StartedService => ({
    url: `${name}://container-${name}`,
    stop: async () => {
      calls.push(`stop ${name}`);
    },
  });
  return {
    calls,
    engine: {
      answers: async () => {
        calls.push("ping");
        return answers;
      },
      startPostgres: async () => {
        calls.push("start postgres");
        if (failing === "postgres") throw new Error("pull access denied for postgres");
        return service("postgres");
      },
      startRedis: async () => {
        calls.push("start redis");
        if (failing === "redis") throw new Error("pull access denied for redis");
        return service("redis");
      },
    },
  };
}

const silent = { warn: () => {} };

describe("selectTestServices: environment, else Docker containers, else embedded", () => {
  it("takes DATABASE_URL and REDIS_URL as they are and never asks Docker", async () => {
    const { engine, calls } = fakeEngine(true);
    const services = await selectTestServices({ DATABASE_URL: "postgres://db", REDIS_URL: "redis://r" }, engine);
    expect(services.postgres).toEqual({ source: "environment", url: "postgres://db" });
    expect(services.redis).toEqual({ source: "environment", url: "redis://r" });
    expect(services.env).toEqual({});
    expect(calls).toEqual([]);
  });

  it("prefers TEST_DATABASE_URL and TEST_REDIS_URL over the application's variables", async () => {
    const { engine } = fakeEngine(true);
    const services = await selectTestServices(
      {
        TEST_DATABASE_URL: "postgres://test",
        DATABASE_URL: "postgres://app",
        TEST_REDIS_URL: "redis://t",
        REDIS_URL: "redis://a",
      },
      engine,
    );
    expect([services.postgres.url, services.redis.url]).toEqual(["postgres://test", "redis://t"]);
  });

  it("starts postgres:15 and redis:7 when nothing is set and Docker answers, publishes them, stops them", async () => {
    const { engine, calls } = fakeEngine(true);
    const services = await selectTestServices({}, engine);
    expect(services.postgres).toEqual({ source: "container", url: "postgres://container-postgres" });
    expect(services.redis).toEqual({ source: "container", url: "redis://container-redis" });
    expect(services.env).toEqual({
      TEST_DATABASE_URL: "postgres://container-postgres",
      TEST_REDIS_URL: "redis://container-redis",
    });
    // What the test files then read: the published URLs.
    expect(postgresTestUrl(services.env)).toBe("postgres://container-postgres");
    expect(sharedRedisUrl(services.env)).toBe("redis://container-redis");
    await services.stop();
    expect(calls.sort()).toEqual(["ping", "start postgres", "start redis", "stop postgres", "stop redis"]);
  });

  it("starts only the missing service: a configured database is kept, Redis comes from Docker", async () => {
    const { engine, calls } = fakeEngine(true);
    const services = await selectTestServices({ DATABASE_URL: "postgres://db" }, engine);
    expect(services.postgres).toEqual({ source: "environment", url: "postgres://db" });
    expect(services.redis.source).toBe("container");
    expect(services.env).toEqual({ TEST_REDIS_URL: "redis://container-redis" });
    expect(calls).toEqual(["ping", "start redis"]);
  });

  it("falls back to embedded without Docker and starts nothing", async () => {
    const { engine, calls } = fakeEngine(false);
    const services = await selectTestServices({ DATABASE_URL: "" }, engine);
    expect(services.postgres).toEqual({ source: "none", url: undefined });
    expect(services.redis).toEqual({ source: "none", url: undefined });
    expect(services.env).toEqual({});
    expect(calls).toEqual(["ping"]);
    expect(postgresTestUrl(services.env)).toBeUndefined();
    expect(sharedRedisUrl(services.env)).toBe(NO_TEST_REDIS);
    expect(await redisAnswers(NO_TEST_REDIS)).toBe(false);
  });

  it("falls back to embedded, with a warning, when Docker answers but a container cannot start", async () => {
    const { engine, calls } = fakeEngine(true, "redis");
    const warnings: string[] = [];
    const services = await selectTestServices({}, engine, { warn: (message) => warnings.push(message) });
    expect([services.postgres.source, services.redis.source]).toEqual(["none", "none"]);
    expect(services.env).toEqual({});
    // The container that did start is not left running.
    expect(calls).toContain("stop postgres");
    expect(warnings.join()).toContain("pull access denied for redis");
  });

  it("keeps a configured service when the container for the other one fails", async () => {
    const { engine } = fakeEngine(true, "postgres");
    const services = await selectTestServices({ REDIS_URL: "redis://r" }, engine, silent);
    expect(services.postgres.source).toBe("none");
    expect(services.redis).toEqual({ source: "environment", url: "redis://r" });
  });
});

describe("dockerEngineAnswers", () => {
  const dirs: string[] = [];
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** A unix socket answering like the Docker API, or (stalling) accepting and never answering. */
  async function socket(behaviour: "ok" | "stall"): Promise<string> {
    const dir = mkdtempSync(join(tmpdir(), "gh-docker-"));
    dirs.push(dir);
    const path = join(dir, "docker.sock");
    const server = createServer((request, response) => {
      if (behaviour === "stall") return;
      response.end(request.url === "/_ping" ? "OK" : "not found");
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(path, resolve));
    return path;
  }

  it("says no without any I/O beyond a stat when no socket exists and DOCKER_HOST is unset", async () => {
    expect(await dockerEngineAnswers({}, { socketPaths: ["/nonexistent/docker.sock"] })).toBe(false);
  });

  it("says yes when the engine's socket answers the ping", async () => {
    const path = await socket("ok");
    expect(await dockerEngineAnswers({}, { socketPaths: ["/nonexistent/docker.sock", path] })).toBe(true);
    expect(await dockerEngineAnswers({ DOCKER_HOST: `unix://${path}` })).toBe(true);
  });

  it("says no within its timeout when the socket accepts but never answers", async () => {
    const path = await socket("stall");
    expect(await dockerEngineAnswers({}, { socketPaths: [path], timeoutMs: 100 })).toBe(false);
  });

  it("says no for a DOCKER_HOST nobody listens on", async () => {
    expect(await dockerEngineAnswers({ DOCKER_HOST: "tcp://127.0.0.1:9" }, { timeoutMs: 200 })).toBe(false);
    expect(await dockerEngineAnswers({ DOCKER_HOST: "unix:///nonexistent/docker.sock" })).toBe(false);
  });
});
