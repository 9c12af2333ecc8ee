import type { ApiUseCases } from "@gatehouse/api";
import { makeCheckHealth, makeCheckRateLimit } from "@gatehouse/application";
import { keycloakAdaptersOf } from "./keycloak.js";
import type { Wiring } from "./wiring.js";

/**
 * Readiness over the probes. Redis and Keycloak are optional: their failure only degrades (token
 * checks go on, Keycloak tokens on the cached JWKS; Keycloak calls answer 503 meanwhile).
 */
export function wireHealth(w: Wiring): ApiUseCases["health"] {
  const keycloak = keycloakAdaptersOf(w);
  return {
    checkHealth: makeCheckHealth({
      probes: keycloak === undefined ? w.probes : [...w.probes, keycloak.probe],
      optionalProbes: ["redis", "keycloak"],
      timeoutMs: w.config.healthCheckTimeoutMs,
      clock: w.clock,
    }),
  };
}

/** The per-route rate limits of RATE_LIMIT_* over the shared (or local) limiter. */
export function wireRateLimit(w: Wiring): ApiUseCases["rateLimit"] {
  return {
    checkRateLimit: makeCheckRateLimit({ limiter: w.rateLimiter, policy: w.config.rateLimits, refusals: w.refusals }),
  };
}
