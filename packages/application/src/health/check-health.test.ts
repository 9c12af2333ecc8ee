import type { HealthProbe } from "@gatehouse/domain";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FakeClock } from "../testing/index.js";
import { makeCheckHealth } from "./check-health.js";

const TIMEOUT_MS = 1_000;

function healthy(name: string, details?: Record<string, unknown>): HealthProbe {
  return {
    name,
    ping: async () => undefined,
    ...(details === undefined ? {} : { details: async () => details }),
  };
}

function failing(name: string, error: unknown): HealthProbe {
  return { name, ping: () => Promise.reject(error) };
}

function hanging(name: string): HealthProbe {
  return { name, ping: () => new Promise<void>(() => undefined) };
}

function setup(probes: HealthProbe[], optionalProbes?: string[]) {
  const clock = new FakeClock();
  const checkHealth = makeCheckHealth({
    probes,
    timeoutMs: TIMEOUT_MS,
    clock,
    ...(optionalProbes === undefined ? {} : { optionalProbes }),
  });
  return { clock, checkHealth };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("checkHealth", () => {
  it("is ready when every probe answers", async () => {
    const { checkHealth } = setup([healthy("database"), healthy("cache")]);
    expect(await checkHealth()).toEqual({
      status: "ready",
      checks: {
        database: { status: "healthy", latency_ms: 0 },
        cache: { status: "healthy", latency_ms: 0 },
      },
    });
  });

  it("is ready with no probes at all", async () => {
    const { checkHealth } = setup([]);
    expect(await checkHealth()).toEqual({ status: "ready", checks: {} });
  });

  it("measures latency with the clock", async () => {
    const clock = new FakeClock();
    const checkHealth = makeCheckHealth({
      probes: [{ name: "database", ping: async () => clock.advanceMs(42) }],
      timeoutMs: TIMEOUT_MS,
      clock,
    });
    expect((await checkHealth()).checks.database).toEqual({ status: "healthy", latency_ms: 42 });
  });

  it("reports a failed critical probe as unhealthy and the service as not ready", async () => {
    const { checkHealth } = setup([healthy("cache"), failing("database", new Error("connect ECONNREFUSED"))]);
    expect(await checkHealth()).toEqual({
      status: "not_ready",
      checks: {
        cache: { status: "healthy", latency_ms: 0 },
        database: { status: "unhealthy", latency_ms: null, error: "connect ECONNREFUSED" },
      },
    });
  });

  it("keeps only the first line of an error message", async () => {
    const { checkHealth } = setup([failing("database", new Error("auth failed\npostgres://admin:s3cret@db/app"))]);
    const report = await checkHealth();
    expect(report.checks.database?.error).toBe("auth failed");
    expect(JSON.stringify(report)).not.toContain("s3cret");
  });

  it("says unreachable for a rejection that is not an Error", async () => {
    const { checkHealth } = setup([failing("database", "nope")]);
    expect((await checkHealth()).checks.database).toEqual({
      status: "unhealthy",
      latency_ms: null,
      error: "unreachable",
    });
  });

  it("treats a probe that throws synchronously as unhealthy", async () => {
    const probe: HealthProbe = {
      name: "database",
      ping: () => {
        throw new Error("pool destroyed");
      },
    };
    const { checkHealth } = setup([probe]);
    expect(await checkHealth()).toMatchObject({
      status: "not_ready",
      checks: { database: { status: "unhealthy", error: "pool destroyed" } },
    });
  });

  it("marks a probe that does not answer within the timeout unhealthy", async () => {
    vi.useFakeTimers();
    const { checkHealth } = setup([hanging("database"), healthy("cache")]);
    const pending = checkHealth();
    await vi.advanceTimersByTimeAsync(TIMEOUT_MS);
    expect(await pending).toEqual({
      status: "not_ready",
      checks: {
        database: { status: "unhealthy", latency_ms: null, error: `timed out after ${TIMEOUT_MS} ms` },
        cache: { status: "healthy", latency_ms: 0 },
      },
    });
  });

  it("does not give up on a probe before the timeout", async () => {
    vi.useFakeTimers();
    const slow: HealthProbe = {
      name: "database",
      ping: () => new Promise<void>((resolve) => setTimeout(resolve, TIMEOUT_MS - 1)),
    };
    const { checkHealth } = setup([slow]);
    const pending = checkHealth();
    await vi.advanceTimersByTimeAsync(TIMEOUT_MS);
    expect((await pending).status).toBe("ready");
  });

  it("leaves no timer running after the check", async () => {
    vi.useFakeTimers();
    const { checkHealth } = setup([healthy("database"), failing("cache", new Error("down"))], ["cache"]);
    await checkHealth();
    expect(vi.getTimerCount()).toBe(0);
  });

  describe("optional probes", () => {
    it("a failed optional probe only degrades the service", async () => {
      const { checkHealth } = setup([healthy("database"), failing("cache", new Error("down"))], ["cache"]);
      expect(await checkHealth()).toMatchObject({
        status: "degraded",
        checks: { database: { status: "healthy" }, cache: { status: "unhealthy", error: "down" } },
      });
    });

    it("a timed-out optional probe only degrades the service", async () => {
      vi.useFakeTimers();
      const { checkHealth } = setup([healthy("database"), hanging("cache")], ["cache"]);
      const pending = checkHealth();
      await vi.advanceTimersByTimeAsync(TIMEOUT_MS);
      expect((await pending).status).toBe("degraded");
    });

    it("is ready when the optional probe is healthy too", async () => {
      const { checkHealth } = setup([healthy("database"), healthy("cache")], ["cache"]);
      expect((await checkHealth()).status).toBe("ready");
    });

    it.each([
      ["critical first", ["database", "cache"]],
      ["optional first", ["cache", "database"]],
    ])("a failed critical probe wins over a failed optional one (%s)", async (_label, order) => {
      const probes = order.map((name) => failing(name, new Error(`${name} down`)));
      const { checkHealth } = setup(probes, ["cache"]);
      expect((await checkHealth()).status).toBe("not_ready");
    });
  });

  describe("details", () => {
    it("adds each probe's details when asked", async () => {
      const { checkHealth } = setup([healthy("database", { driver: "postgres", max: 10 })]);
      expect((await checkHealth({ details: true })).checks.database).toEqual({
        status: "healthy",
        latency_ms: 0,
        driver: "postgres",
        max: 10,
      });
    });

    it("does not fetch details unless asked", async () => {
      let fetched = 0;
      const probe: HealthProbe = {
        name: "database",
        ping: async () => undefined,
        details: async () => {
          fetched += 1;
          return { max: 10 };
        },
      };
      const { checkHealth } = setup([probe]);
      expect((await checkHealth()).checks.database).toEqual({ status: "healthy", latency_ms: 0 });
      expect(fetched).toBe(0);
    });

    it("does not fetch details for an unhealthy probe", async () => {
      let fetched = 0;
      const probe: HealthProbe = {
        name: "database",
        ping: () => Promise.reject(new Error("down")),
        details: async () => {
          fetched += 1;
          return {};
        },
      };
      const { checkHealth } = setup([probe]);
      await checkHealth({ details: true });
      expect(fetched).toBe(0);
    });

    it("bounds details by the timeout too", async () => {
      vi.useFakeTimers();
      const probe: HealthProbe = {
        name: "database",
        ping: async () => undefined,
        details: () => new Promise<Record<string, unknown>>(() => undefined),
      };
      const { checkHealth } = setup([probe]);
      const pending = checkHealth({ details: true });
      await vi.advanceTimersByTimeAsync(TIMEOUT_MS);
      expect((await pending).checks.database).toMatchObject({ status: "unhealthy" });
    });

    it("works for probes without details", async () => {
      const { checkHealth } = setup([healthy("database")]);
      expect((await checkHealth({ details: true })).checks.database).toEqual({ status: "healthy", latency_ms: 0 });
    });
  });
});
