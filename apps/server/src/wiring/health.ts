import type { ApiUseCases } from "@gatehouse/api";
import { makeCheckHealth, makeCheckRateLimit } from "@gatehouse/application";
import type { Wiring } from "./wiring.js";

/** Readiness over the probes (Redis is optional: its failure only degrades). */
export function wireHealth(w: Wiring): ApiUseCases["health"] {
  return {
    checkHealth: makeCheckHealth({
      probes: w.probes,
      optionalProbes: ["redis"],
      timeoutMs: w.config.healthCheckTimeoutMs,
      clock: w.clock,
    }),
  };
}

/** The per-route rate limits of RATE_LIMIT_* over the shared (or local) limiter. */
export function wireRateLimit(w: Wiring): ApiUseCases["rateLimit"] {
  return { checkRateLimit: makeCheckRateLimit({ limiter: w.rateLimiter, policy: w.config.rateLimits }) };
}
