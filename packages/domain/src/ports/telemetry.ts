import type { RevocationReason } from "../token/refresh-token.js";

/** How a login attempt ended, as `gatehouse_logins_total{outcome}` counts it. */
export const LoginOutcomes = [
  "success",
  "invalid_credentials",
  "not_verified",
  "blocked",
  "rate_limited",
  "mfa_required",
  "mfa_enrollment_required",
  "error",
] as const;
export type LoginOutcome = (typeof LoginOutcomes)[number];

/** How a refresh-token presentation was judged (`gatehouse_token_refresh_total{outcome}`). */
export const TokenRefreshOutcomes = [
  "rotated",
  "grace",
  "retry",
  "reuse_detected",
  "expired",
  "revoked",
  "invalid",
] as const;
export type TokenRefreshOutcome = (typeof TokenRefreshOutcomes)[number];

/** How a self-registration ended (`gatehouse_registrations_total{outcome}`). */
export const RegistrationOutcomes = ["success", "invalid", "conflict", "rate_limited", "error"] as const;
export type RegistrationOutcome = (typeof RegistrationOutcomes)[number];

/** A cache read (`gatehouse_cache_requests_total{result}`). */
export const CacheResults = ["hit", "miss", "error"] as const;
export type CacheResult = (typeof CacheResults)[number];

/** The statement kinds `api_db_queries_total{operation}` distinguishes; anything else is `other`. */
export const DbOperations = ["select", "insert", "update", "delete", "other"] as const;
export type DbOperation = (typeof DbOperations)[number];

/**
 * Where use cases, adapters and the HTTP layer report what happened, for metrics. Every
 * method is synchronous and must cost next to nothing: it runs on hot paths (each request,
 * each query). The implementation bounds label values; callers pass them as they are.
 * With metrics off the server passes {@link NO_TELEMETRY}.
 */
export interface Telemetry {
  /** One HTTP request answered; `route` is the route template, or `unmatched`. */
  httpRequest(method: string, route: string, status: number, seconds: number): void;
  /** One database statement finished (or failed) after `seconds`. */
  dbQuery(operation: DbOperation, table: string, seconds: number): void;
  login(method: string, outcome: LoginOutcome): void;
  tokenRefresh(outcome: TokenRefreshOutcome): void;
  registration(outcome: RegistrationOutcome): void;
  /** A request or attempt refused by a rate limit of `category`. */
  rateLimited(category: string): void;
  /** `count` sessions (refresh-token families) revoked for `reason`, after the change committed. */
  revocations(reason: RevocationReason, count: number): void;
  /** A password hash or verification was asked for (it may wait for a slot). */
  passwordHashStarted(): void;
  /** That hash or verification finished after `seconds`, waiting included. */
  passwordHashFinished(seconds: number): void;
  cacheRequest(result: CacheResult): void;
}

/** Telemetry that records nothing: metrics are off. */
export const NO_TELEMETRY: Telemetry = {
  httpRequest() {},
  dbQuery() {},
  login() {},
  tokenRefresh() {},
  registration() {},
  rateLimited() {},
  revocations() {},
  passwordHashStarted() {},
  passwordHashFinished() {},
  cacheRequest() {},
};
