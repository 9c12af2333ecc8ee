import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AdminBenchResult } from "./admin-bench.js";
import type { Argon2Ceiling } from "./argon2-ceiling.js";
import type { ChatBenchResult } from "./chat-bench.js";
import type { ChatScenarios } from "./chat-scenarios.js";
import type { ScenarioResult } from "./load.js";
import type { PeerBenchResult } from "./peer-bench.js";
import type { PgBouncerBenchResult } from "./pgbouncer-bench.js";
import type { RateLimitCheckCost } from "./rate-limit-check.js";
import type { RateLimitHookCost } from "./rate-limit-hook.js";
import type { RedisScenarios } from "./redis-scenarios.js";
import type { RefreshCeiling } from "./refresh-ceiling.js";

export interface BenchReport {
  readonly started_at: string;
  readonly finished_at: string;
  readonly environment: Record<string, unknown>;
  readonly scenarios: {
    readonly hello: ScenarioResult;
    /** One limiter check, alone and with `connections` in flight, per backend (target: p95 < 2 ms). */
    readonly rate_limit_check: readonly RateLimitCheckCost[];
    /** The same check as a request pays it: API hook + @fastify/rate-limit + memory limiter. */
    readonly rate_limit_hook: readonly RateLimitHookCost[];
    readonly live: ScenarioResult;
    readonly argon2_verify: Argon2Ceiling;
    /** The all-core ceiling (as many in flight as cores), when the server runs fewer. */
    readonly argon2_verify_all_cores?: Argon2Ceiling;
    readonly login: ScenarioResult;
    readonly refresh: ScenarioResult & { readonly chains_restarted: number; readonly chains_stranded: number };
    /** The rotation statement alone from postgres.js, chained (PostgreSQL only): the database's ceiling. */
    readonly refresh_db_ceiling?: RefreshCeiling;
    readonly me: ScenarioResult;
    readonly me_probe: ScenarioResult;
    readonly me_probe_under_login_load: ScenarioResult;
    readonly login_under_mixed_load: ScenarioResult;
    /** Present when BENCH_REDIS_URL was set. */
    readonly redis?: RedisScenarios;
    /** N sockets in one room on one node at a fixed send rate. */
    readonly chat: ChatBenchResult;
    /** The same across `BENCH_CHAT_NODES` processes (receivers spread, senders on the first). */
    readonly chat_nodes?: ChatScenarios["chat_nodes"];
    /** Better Auth interleaved with Gatehouse (`--peers`). */
    readonly peer?: PeerBenchResult | { readonly skipped: string };
    /** Login and refresh through PgBouncer in transaction mode (PostgreSQL only). */
    readonly pgbouncer?: PgBouncerBenchResult | { readonly skipped: string };
  };
  /** Spawn to /health/ready of the bench's servers: the first (it migrates) and the best later one. */
  readonly startup: StartupTimes;
  /** Admin list search and audit-log filters on seeded volumes (PostgreSQL only). */
  readonly admin: AdminBenchResult | { readonly skipped: string };
  readonly ratios: {
    /** 2xx/s of GET /me over the bare Fastify hello route. */
    readonly me_over_hello: number;
    /** Successful logins/s over argon2id verifies/s alone. */
    readonly login_over_argon2_ceiling: number;
    /** p99 of the fixed-rate GET /me probe while logins saturate the CPU, over its p99 alone. */
    readonly me_probe_p99_under_load_over_alone: number;
    /** 2xx/s of GET /me with the Redis cache over hello (target >= 0.4). */
    readonly me_redis_over_hello?: number;
    /** Gatehouse over Better Auth, better round of each (`--peers`). */
    readonly login_over_better_auth?: number;
    readonly me_over_better_auth_get_session?: number;
  };
}

export interface StartupTimes {
  readonly database: "pglite" | "postgres";
  readonly first_ms: number;
  readonly later_best_ms?: number;
}

const ratio = (numerator: number, denominator: number) =>
  denominator === 0 ? 0 : Math.round((numerator / denominator) * 1000) / 1000;

export function ratiosOf(scenarios: BenchReport["scenarios"]): BenchReport["ratios"] {
  return {
    me_over_hello: ratio(scenarios.me.ok_per_second, scenarios.hello.ok_per_second),
    login_over_argon2_ceiling: ratio(scenarios.login.ok_per_second, scenarios.argon2_verify.verifies_per_second),
    me_probe_p99_under_load_over_alone: ratio(
      scenarios.me_probe_under_login_load.latency_ms.p99,
      scenarios.me_probe.latency_ms.p99,
    ),
    ...(scenarios.redis === undefined
      ? {}
      : { me_redis_over_hello: ratio(scenarios.redis.me_redis.ok_per_second, scenarios.hello.ok_per_second) }),
    ...(scenarios.peer === undefined || "skipped" in scenarios.peer
      ? {}
      : {
          login_over_better_auth: scenarios.peer.login.ratio,
          me_over_better_auth_get_session: scenarios.peer.token_check.ratio,
        }),
  };
}

const cell = (value: string | number, width: number) => String(value).padStart(width);

function row(name: string, rps: number, latency: ScenarioResult["latency_ms"], non2xx: string, errors: string) {
  const figures = [rps.toFixed(1), latency.p50.toFixed(2), latency.p95.toFixed(2), latency.p99.toFixed(2)];
  return `${name.padEnd(34)}${figures.map((figure) => cell(figure, 11)).join("")}${cell(non2xx, 9)}${cell(errors, 8)}`;
}

function scenarioRow(name: string, result: ScenarioResult): string {
  return row(name, result.requests_per_second, result.latency_ms, String(result.non_2xx), String(result.errors));
}

function adminRows(admin: BenchReport["admin"]): string[] {
  if ("skipped" in admin) return ["", `admin scenarios skipped: ${admin.skipped}`];
  const { seeded } = admin;
  return [
    "",
    `admin scenarios on ${seeded.users} users / ${seeded.audit_rows} audit rows (seeded in ${seeded.seconds}s):`,
    scenarioRow("GET /admin/users?search=", admin.user_search),
    scenarioRow("GET /admin/audit-logs?user_id=", admin.audit_by_user),
    scenarioRow("GET /admin/audit-logs?action=&from=", admin.audit_by_action_and_window),
    `SQL execution (ms): ${Object.entries(admin.sql_execution_ms)
      .map(([name, ms]) => `${name} ${ms}`)
      .join(", ")}`,
  ];
}

/** The human-readable table. */
export function formatReport(report: BenchReport): string {
  const { scenarios: s, ratios: r } = report;
  const header = `${"scenario".padEnd(34)}${["req/s", "p50 ms", "p95 ms", "p99 ms"].map((h) => cell(h, 11)).join("")}${cell("non-2xx", 9)}${cell("errors", 8)}`;
  const argon2 = s.argon2_verify;
  return [
    header,
    "-".repeat(header.length),
    scenarioRow("hello (bare Fastify ceiling)", s.hello),
    scenarioRow("GET /health/live (app, no db)", s.live),
    row(`argon2id verify ×${argon2.concurrency} (verifies/s)`, argon2.verifies_per_second, argon2.latency_ms, "-", "-"),
    ...(s.argon2_verify_all_cores === undefined
      ? []
      : [
          row(
            `argon2id verify ×${s.argon2_verify_all_cores.concurrency}, all cores`,
            s.argon2_verify_all_cores.verifies_per_second,
            s.argon2_verify_all_cores.latency_ms,
            "-",
            "-",
          ),
        ]),
    scenarioRow("POST /auth/login", s.login),
    scenarioRow("POST /auth/refresh (chained)", s.refresh),
    ...(s.refresh_db_ceiling === undefined
      ? []
      : [
          row(
            `rotation statement alone ×${s.refresh_db_ceiling.connections}`,
            s.refresh_db_ceiling.rotations_per_second,
            s.refresh_db_ceiling.latency_ms,
            "-",
            String(s.refresh_db_ceiling.broken_chains),
          ),
        ]),
    scenarioRow("GET /auth/me", s.me),
    scenarioRow("GET /auth/me probe alone", s.me_probe),
    scenarioRow("GET /auth/me probe during logins", s.me_probe_under_login_load),
    scenarioRow("POST /auth/login during the probe", s.login_under_mixed_load),
    ...s.rate_limit_check.map((cost) =>
      row(
        `rate-limit check ${cost.backend} ×${cost.concurrency} (checks/s)`,
        cost.checks_per_second,
        cost.latency_ms,
        "-",
        "-",
      ),
    ),
    ...s.rate_limit_hook.map(
      (cost) =>
        `rate-limit hook ×${cost.concurrency}: a limited 404 p50/p95 ${cost.limited.latency_ms.p50}/${cost.limited.latency_ms.p95} ms, ` +
        `unlimited ${cost.unlimited.latency_ms.p50}/${cost.unlimited.latency_ms.p95} ms, added ${cost.added_p50_ms}/${cost.added_p95_ms} ms`,
    ),
    "",
    `refresh chains restarted from a spare session: ${s.refresh.chains_restarted}, stranded: ${s.refresh.chains_stranded}`,
    `me / hello (2xx/s):                     ${r.me_over_hello}`,
    `login / argon2 ceiling (2xx/s):         ${r.login_over_argon2_ceiling}`,
    `me probe p99, during logins / alone:    ${r.me_probe_p99_under_load_over_alone}`,
    ...redisLines(report),
    ...adminRows(report.admin),
    ...peerLines(s.peer),
    ...pgbouncerLines(s.pgbouncer),
  ].join("\n");
}

function pgbouncerLines(pooled: BenchReport["scenarios"]["pgbouncer"]): string[] {
  if (pooled === undefined) return [];
  if ("skipped" in pooled) return ["", `PgBouncer scenarios skipped: ${pooled.skipped}`];
  return [
    "",
    `through ${pooled.pooler}, same database and users:`,
    scenarioRow("POST /auth/login via PgBouncer", pooled.login),
    scenarioRow("POST /auth/refresh via PgBouncer", pooled.refresh),
  ];
}

function peerLines(peer: BenchReport["scenarios"]["peer"]): string[] {
  if (peer === undefined) return [];
  if ("skipped" in peer) return ["", `peer skipped: ${peer.skipped}`];
  return [
    "",
    `Better Auth peer, better of ${peer.rounds} interleaved rounds, ${peer.connections} connections:`,
    scenarioRow("Gatehouse POST /auth/login", peer.login.gatehouse_best),
    scenarioRow("Better Auth POST sign-in/email", peer.login.peer_best),
    scenarioRow("Gatehouse GET /auth/me", peer.token_check.gatehouse_best),
    scenarioRow("Better Auth GET get-session", peer.token_check.peer_best),
    `login, Gatehouse / Better Auth (2xx/s):        ${peer.login.ratio}`,
    `token check, Gatehouse / Better Auth (2xx/s):  ${peer.token_check.ratio}`,
  ];
}

function redisLines(report: BenchReport): string[] {
  const redis = report.scenarios.redis;
  if (redis === undefined) return [];
  const cluster = redis.cluster_me;
  return [
    "",
    scenarioRow("GET /auth/me, Redis cache (warm)", redis.me_redis),
    scenarioRow("POST /auth/refresh, Redis on", redis.refresh_redis),
    ...(cluster === undefined
      ? []
      : cluster.per_node.map((result, index) =>
          scenarioRow(`GET /auth/me on node ${index + 1}/${cluster.nodes}`, result),
        )),
    `me with Redis / hello (2xx/s):          ${report.ratios.me_redis_over_hello}`,
    ...(cluster === undefined
      ? []
      : [
          `${cluster.nodes} nodes aggregate me 2xx/s:          ${cluster.aggregate_ok_per_second} (worst p99 ${cluster.worst_p99_ms} ms)`,
        ]),
  ];
}

/** Writes `<dir>/<timestamp>.json` and returns its path. */
export function writeReport(dir: string, report: Pick<BenchReport, "started_at">): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${report.started_at.replace(/[:.]/g, "-")}.json`);
  writeFileSync(path, `${JSON.stringify(report, null, 2)}\n`);
  return path;
}
