import { type ApiUseCases, buildApp } from "@gatehouse/api";
import { makeCheckRateLimit } from "@gatehouse/application";
import { DEFAULT_RATE_LIMIT_POLICY } from "@gatehouse/domain";
import { createLogger, MemoryRateLimiter, systemClock } from "@gatehouse/infrastructure";
import { type LatencySummary, round, summarizeLatencies } from "./stats.js";

export interface RateLimitHookCost {
  readonly concurrency: number;
  /** An unknown path under /api/v1/: counted (anonymous API, per address) and answered 404. */
  readonly limited: { readonly requests: number; readonly latency_ms: LatencySummary };
  /** An unknown path outside /api/v1/: the same 404 without the check. */
  readonly unlimited: { readonly requests: number; readonly latency_ms: LatencySummary };
  /** limited − unlimited: what the hook, @fastify/rate-limit and the limiter add per request. */
  readonly added_p50_ms: number;
  readonly added_p95_ms: number;
}

// Addresses rotate so no check is refused: every sample is the full path.
const ADDRESSES = 60_000;

/** The real app with the real rate-limit use case on the memory limiter; nothing else is used. */
async function appWithRateLimit() {
  const checkRateLimit = makeCheckRateLimit({
    limiter: new MemoryRateLimiter(systemClock),
    policy: DEFAULT_RATE_LIMIT_POLICY,
  });
  const notInThisScenario = async () => {
    throw new Error("bench: this use case is not part of the rate-limit hook scenario");
  };
  // Every group but rateLimit throws if called; the optional chat group is absent (no chat routes).
  const unused = new Proxy({}, { get: () => notInThisScenario });
  const useCases = new Proxy({} as ApiUseCases, {
    get: (_target, name) => {
      if (name === "rateLimit") return { checkRateLimit };
      return name === "chat" ? undefined : unused;
    },
  });
  return buildApp({
    useCases,
    logger: createLogger({ level: "warn", pretty: false }),
    version: "bench",
    bodyLimitBytes: 1024,
    corsAllowedOrigins: [],
    trustProxy: false,
    isShuttingDown: () => false,
  });
}

const LIMITED = "/api/v1/bench-no-such-route";
const UNLIMITED = "/bench-no-such-route";
const WARM_UP_REQUESTS = 500;

/**
 * Limited and unlimited requests alternate in every lane, so the load of a shared machine
 * falls on both alike. Both paths are warmed up first (the first 404 compiles its serializer,
 * which takes seconds on a loaded machine).
 */
async function sample(app: Awaited<ReturnType<typeof appWithRateLimit>>, durationSeconds: number, concurrency: number) {
  const latencies = { [LIMITED]: [] as number[], [UNLIMITED]: [] as number[] };
  let next = 0;
  for (let i = 0; i < WARM_UP_REQUESTS; i += 1) {
    for (const url of [LIMITED, UNLIMITED]) await app.inject({ method: "GET", url, remoteAddress: "192.0.2.1" });
  }
  const deadline = performance.now() + durationSeconds * 1000;
  const lane = async () => {
    while (performance.now() < deadline) {
      for (const url of [LIMITED, UNLIMITED] as const) {
        next = (next + 1) % ADDRESSES;
        const remoteAddress = `10.${Math.floor(next / 65_536)}.${Math.floor(next / 256) % 256}.${next % 256}`;
        const begun = performance.now();
        const response = await app.inject({ method: "GET", url, remoteAddress });
        latencies[url].push(performance.now() - begun);
        if (response.statusCode !== 404) throw new Error(`bench: ${url} answered ${response.statusCode}, not 404`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const summary = (samples: number[]) => ({ requests: samples.length, latency_ms: summarizeLatencies(samples) });
  return { limited: summary(latencies[LIMITED]), unlimited: summary(latencies[UNLIMITED]) };
}

/**
 * The rate-limit check as a request pays it, through the API's hook and @fastify/rate-limit
 * (in process, `inject`, no socket): a limited and an unlimited 404, alternately.
 */
export async function measureRateLimitHook(durationSeconds: number): Promise<RateLimitHookCost[]> {
  const app = await appWithRateLimit();
  try {
    // One lane only: in one process, more lanes measure the event loop's queue, not the check.
    const { limited, unlimited } = await sample(app, durationSeconds, 1);
    return [
      {
        concurrency: 1,
        limited,
        unlimited,
        added_p50_ms: round(limited.latency_ms.p50 - unlimited.latency_ms.p50),
        added_p95_ms: round(limited.latency_ms.p95 - unlimited.latency_ms.p95),
      },
    ];
  } finally {
    await app.close();
  }
}
