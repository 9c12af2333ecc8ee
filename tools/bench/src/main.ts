#!/usr/bin/env node
// Over 300 lines on purpose: the scenario table and the order the report is written in.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultArgon2Concurrency, RATE_LIMIT_ENV } from "@gatehouse/infrastructure";
import { type AdminBenchResult, benchAdmin } from "./admin-bench.js";
import { measureArgon2Ceiling } from "./argon2-ceiling.js";
import { benchChatScenarios, type StartChatServer } from "./chat-scenarios.js";
import { type Child, freePort, installExitHandlers, onExit, startChild, stopChild, waitForHttp } from "./children.js";
import { type Credentials, logInSessions, registerUsers, type Session } from "./gatehouse-client.js";
import { runLoad } from "./load.js";
import { benchMemory, memoryBenchEnv } from "./memory-bench.js";
import { benchPeer, type GatehouseSide, type PeerBenchResult, peersRequested } from "./peer-bench.js";
import { benchThroughPgBouncer } from "./pgbouncer-bench.js";
import { measureRateLimitCheck } from "./rate-limit-check.js";
import { measureRateLimitHook } from "./rate-limit-hook.js";
import { benchNodes, benchOneRedisNode, type RedisScenarios } from "./redis-scenarios.js";
import { measureRefreshCeiling } from "./refresh-ceiling.js";
import { type BenchReport, formatReport, ratiosOf, type StartupTimes, writeReport } from "./report.js";
import {
  getOptions,
  LIVE_PATH,
  type LoadSettings,
  loginOptions,
  meOptions,
  type RefreshChains,
  refreshOptions,
} from "./scenarios.js";
import { chatTargetsOf, formatTargets, type TargetRow, targetsOf } from "./summary.js";

const HELLO_SCRIPT = fileURLToPath(new URL("./hello-server.js", import.meta.url));
const SERVER_SCRIPT = fileURLToPath(new URL("../../../apps/server/dist/main.js", import.meta.url));
const RESULTS_DIR = fileURLToPath(new URL("../results/", import.meta.url));

interface BenchSettings {
  readonly durationSeconds: number;
  readonly connections: number;
  readonly users: number;
  /** The fixed-rate GET /me probe, alone and during the login flood. */
  readonly probeConnections: number;
  readonly probeRate: number;
  readonly cores: number;
  /** Hashes in flight, as the server will run them (ARGON2_MAX_CONCURRENCY or its default). */
  readonly argon2Concurrency: number;
  readonly databaseUrl: string | undefined;
  /** Redis for the rate-limit check (and, through REDIS_URL, for the server); unset: memory only. */
  readonly redisUrl: string | undefined;
  readonly nodes: number;
  /** Seeded for the admin scenarios (PostgreSQL only). */
  readonly adminUsers: number;
  readonly auditRows: number;
  readonly chatSockets: number;
  readonly chatRate: number;
  readonly chatNodes: number;
  /** `chat`, `memory` or `admin`: run that scenario alone. */
  readonly only: string | undefined;
  /** `--peers` or BENCH_PEERS: the peers measured against Gatehouse (needs DATABASE_URL). */
  readonly peers: readonly "better-auth"[];
  readonly peerRounds: number;
}

function intFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name]?.trim();
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

function readSettings(): BenchSettings {
  const databaseUrl = process.env.DATABASE_URL?.trim();
  const redisUrl = process.env.BENCH_REDIS_URL?.trim() || process.env.REDIS_URL?.trim() || undefined;
  return {
    durationSeconds: intFromEnv("BENCH_DURATION_SECONDS", 10, 1, 3600),
    connections: intFromEnv("BENCH_CONNECTIONS", 50, 1, 10_000),
    users: intFromEnv("BENCH_USERS", 100, 1, 100_000),
    probeConnections: intFromEnv("BENCH_ME_PROBE_CONNECTIONS", 10, 1, 10_000),
    probeRate: intFromEnv("BENCH_ME_PROBE_RATE", 100, 1, 1_000_000),
    cores: availableParallelism(),
    argon2Concurrency: intFromEnv("ARGON2_MAX_CONCURRENCY", defaultArgon2Concurrency(), 1, 256),
    databaseUrl: databaseUrl === "" ? undefined : databaseUrl,
    redisUrl,
    nodes: intFromEnv("BENCH_NODES", 3, 1, 16),
    adminUsers: intFromEnv("BENCH_ADMIN_USERS", 100_000, 1, 10_000_000),
    auditRows: intFromEnv("BENCH_AUDIT_ROWS", 1_000_000, 1, 100_000_000),
    chatSockets: intFromEnv("BENCH_CHAT_SOCKETS", 1000, 1, 100_000),
    chatRate: intFromEnv("BENCH_CHAT_RATE", 60, 1, 100_000),
    chatNodes: intFromEnv("BENCH_CHAT_NODES", databaseUrl && redisUrl ? 3 : 1, 1, 16),
    only: process.env.BENCH_ONLY?.trim() || undefined,
    peers: peersRequested(process.argv.slice(2), process.env),
    peerRounds: intFromEnv("BENCH_PEER_ROUNDS", 2, 1, 20),
  };
}

/** Where the server's data lives, without credentials. */
function databaseLabel(databaseUrl: string | undefined): string {
  if (databaseUrl === undefined) return "embedded PGlite in a temporary DATA_DIR";
  const url = new URL(databaseUrl);
  return `PostgreSQL ${url.hostname}:${url.port || "5432"}${url.pathname}`;
}

const RELAXED_RATE_LIMITS = Object.fromEntries(
  Object.values(RATE_LIMIT_ENV).map((prefix) => [`${prefix}_REQUESTS`, "1000000"]),
);

const log = (line: string) => process.stdout.write(`${line}\n`);

async function benchHello(settings: BenchSettings) {
  const port = await freePort();
  const child = startChild("hello server", HELLO_SCRIPT, { ...process.env, PORT: String(port), LOG_LEVEL: "info" });
  try {
    const baseUrl = `http://127.0.0.1:${port}`;
    await waitForHttp(`${baseUrl}/`, child);
    log(`• hello (bare Fastify): ${settings.durationSeconds}s, ${settings.connections} connections`);
    return await runLoad(getOptions({ ...settings, baseUrl }, "/"));
  } finally {
    await stopChild(child);
  }
}

/** Spawn to ready of every Gatehouse server, in start order (polled every 100 ms). */
const startupsMs: number[] = [];

function startupTimes(settings: BenchSettings): StartupTimes {
  const [first = 0, ...later] = startupsMs;
  return {
    database: settings.databaseUrl === undefined ? "pglite" : "postgres",
    first_ms: first,
    ...(later.length === 0 ? {} : { later_best_ms: Math.min(...later) }),
  };
}

interface RunningServer {
  readonly child: Child;
  readonly baseUrl: string;
}

async function startGatehouse(
  settings: BenchSettings,
  dataDir: string,
  extraEnv: Record<string, string> = {},
): Promise<RunningServer> {
  const port = await freePort();
  const spawnedAt = performance.now();
  const child = startChild("gatehouse server", SERVER_SCRIPT, {
    ...process.env,
    NODE_ENV: "production",
    APP_HOST: "127.0.0.1",
    APP_PORT: String(port),
    DATA_DIR: dataDir,
    JWT_SECRET: randomBytes(32).toString("hex"),
    // The bench measures sign-in and token paths; its users are registered active.
    REQUIRE_EMAIL_VERIFICATION: "false",
    LOG_LEVEL: "info",
    LOG_PRETTY: "false",
    ARGON2_MAX_CONCURRENCY: String(settings.argon2Concurrency),
    // Every bench client comes from 127.0.0.1: the production limits would answer 429 to nearly all of it.
    ...RELAXED_RATE_LIMITS,
    // The failure delay ladder is per client address too, and all bench clients share one: a
    // handful of failed logins under load (a shed 503 counts) would refuse the next 429s.
    LOGIN_DELAY_MAX_SECONDS: "0",
    ...(settings.databaseUrl === undefined ? {} : { DATABASE_URL: settings.databaseUrl }),
    ...extraEnv,
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForHttp(`${baseUrl}/health/ready`, child, 120_000);
  startupsMs.push(Math.round(performance.now() - spawnedAt));
  return { child, baseUrl };
}

async function benchLogin(settings: BenchSettings, load: LoadSettings, users: readonly Credentials[]) {
  log(`• argon2id verify alone (server idle): ${settings.durationSeconds}s, ${settings.argon2Concurrency} in flight`);
  const argon2 = await measureArgon2Ceiling(settings.durationSeconds, settings.argon2Concurrency);
  // The login target is against the all-core ceiling, whatever the server's gate allows.
  let allCores: Awaited<ReturnType<typeof measureArgon2Ceiling>> | undefined;
  if (settings.argon2Concurrency !== settings.cores) {
    log(`• argon2id verify alone, all cores: ${settings.durationSeconds}s, ${settings.cores} in flight`);
    allCores = await measureArgon2Ceiling(settings.durationSeconds, settings.cores);
  }
  log(`• login: ${settings.durationSeconds}s, ${settings.connections} connections over ${users.length} users`);
  const login = await runLoad(loginOptions(load, users));
  return { argon2, login, ...(allCores === undefined ? {} : { argon2_verify_all_cores: allCores }) };
}

async function benchRefresh(settings: BenchSettings, load: LoadSettings, users: readonly Credentials[]) {
  const sessions = await logInSessions(load.baseUrl, users, settings.connections * 2, settings.cores * 2);
  const chains: RefreshChains = { restarted: 0, stranded: 0 };
  log(`• refresh: ${settings.durationSeconds}s, ${settings.connections} connections, one chained session each`);
  const refresh = await runLoad(refreshOptions(load, sessions, chains));
  const chained = { ...refresh, chains_restarted: chains.restarted, chains_stranded: chains.stranded };
  if (settings.databaseUrl === undefined) return { refresh: chained };
  // Fresh sessions: the ceiling spends them, and the HTTP chains' tokens have moved on.
  const spent = await logInSessions(load.baseUrl, users, settings.connections, settings.cores * 2);
  log(
    `• refresh, the rotation statement alone (no HTTP): ${settings.durationSeconds}s, ${settings.connections} chains`,
  );
  return {
    refresh: chained,
    refresh_db_ceiling: await measureRefreshCeiling(settings.databaseUrl, spent, settings.durationSeconds),
  };
}

/** GET /me flat out, then a fixed-rate probe of it alone and while logins saturate the CPU. */
async function benchMe(
  settings: BenchSettings,
  load: LoadSettings,
  users: readonly Credentials[],
  sessions: readonly Session[],
) {
  log(`• me: ${settings.durationSeconds}s, ${settings.connections} connections`);
  const me = await runLoad(meOptions(load, sessions));
  const probe: LoadSettings = { ...load, connections: settings.probeConnections, overallRate: settings.probeRate };
  const probeLabel = `${settings.probeRate} req/s over ${settings.probeConnections} connections`;
  log(`• me probe alone: ${settings.durationSeconds}s, ${probeLabel}`);
  const meProbe = await runLoad(meOptions(probe, sessions));
  log(`• me probe (${probeLabel}) while login runs flat out (${settings.connections} connections)`);
  const [loginUnderLoad, meProbeUnderLoad] = await Promise.all([
    runLoad(loginOptions(load, users)),
    runLoad(meOptions(probe, sessions)),
  ]);
  return { me, me_probe: meProbe, me_probe_under_login_load: meProbeUnderLoad, login_under_mixed_load: loginUnderLoad };
}

async function benchGatehouseScenarios(settings: BenchSettings, baseUrl: string, users: readonly Credentials[]) {
  const load: LoadSettings = { ...settings, baseUrl };
  log(`• live (app stack, no database): ${settings.durationSeconds}s, ${settings.connections} connections`);
  const live = await runLoad(getOptions(load, LIVE_PATH));
  const { argon2, login, ...allCores } = await benchLogin(settings, load, users);
  const refresh = await benchRefresh(settings, load, users);
  // Logged in before the login floods: after them the per-account limit would refuse these.
  const sessions = await logInSessions(load.baseUrl, users, settings.connections, settings.cores * 2);
  const me = await benchMe(settings, load, users, sessions);
  return { scenarios: { live, argon2_verify: argon2, ...allCores, login, ...refresh, ...me }, sessions };
}

async function benchGatehouse(settings: BenchSettings) {
  const dataDir = mkdtempSync(join(tmpdir(), "gatehouse-bench-"));
  onExit(() => rmSync(dataDir, { recursive: true, force: true }));
  log(`• starting apps/server against ${databaseLabel(settings.databaseUrl)}`);
  const server = await startGatehouse(settings, dataDir);
  try {
    const runId = randomBytes(4).toString("hex");
    log(`• registering ${settings.users} users`);
    const users = await registerUsers(server.baseUrl, runId, settings.users, settings.cores * 2);
    const { scenarios, sessions } = await benchGatehouseScenarios(settings, server.baseUrl, users);
    const peer = await benchPeers(settings, { baseUrl: server.baseUrl, users, sessions });
    await stopChild(server.child);
    return { ...scenarios, ...peer, ...(await benchPgBouncer(settings, users)) };
  } finally {
    await stopChild(server.child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Login and refresh again, through PgBouncer on the same database (PostgreSQL only). */
async function benchPgBouncer(settings: BenchSettings, users: readonly Credentials[]) {
  if (settings.databaseUrl === undefined) return {};
  const startServer = async (env: Record<string, string>) => {
    const dataDir = mkdtempSync(join(tmpdir(), "gatehouse-bench-pgbouncer-"));
    onExit(() => rmSync(dataDir, { recursive: true, force: true }));
    const server = await startGatehouse(settings, dataDir, env);
    return { baseUrl: server.baseUrl, stop: () => stopChild(server.child) };
  };
  const pooled = { ...settings, databaseUrl: settings.databaseUrl };
  return { pgbouncer: await benchThroughPgBouncer(pooled, users, startServer, log) };
}

/** Better Auth against this server, interleaved (PostgreSQL only: the peer has no embedded database). */
async function benchPeers(
  settings: BenchSettings,
  gatehouse: GatehouseSide,
): Promise<{ peer?: PeerBenchResult | { skipped: string } }> {
  if (settings.peers.length === 0) return {};
  if (settings.databaseUrl === undefined) {
    log("• peer skipped: Better Auth needs DATABASE_URL (PostgreSQL)");
    return { peer: { skipped: "needs DATABASE_URL (PostgreSQL)" } };
  }
  const peerSettings = { ...settings, databaseUrl: settings.databaseUrl, rounds: settings.peerRounds };
  return { peer: await benchPeer(peerSettings, gatehouse, log) };
}

/** One node with Redis, then (with PostgreSQL) `nodes` processes sharing the database and Redis. */
async function benchRedis(settings: BenchSettings, redisUrl: string): Promise<RedisScenarios> {
  const runId = randomBytes(4).toString("hex");
  // A prefix per run: the bench never touches other keys of a shared Redis.
  // One JWT secret for every node: a token from one node must be accepted by the others.
  const env = {
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: `gh-bench-${runId}:`,
    JWT_SECRET: randomBytes(32).toString("hex"),
  };
  const dataDirs: string[] = [];
  const servers: RunningServer[] = [];
  const start = async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "gatehouse-bench-"));
    dataDirs.push(dataDir);
    const server = await startGatehouse(settings, dataDir, env);
    servers.push(server);
    return server;
  };
  try {
    log(`• starting apps/server with Redis at ${new URL(redisUrl).host}`);
    const first = await start();
    const users = await registerUsers(first.baseUrl, runId, settings.users, settings.cores * 2);
    const load: LoadSettings = { ...settings, baseUrl: first.baseUrl };
    const single = await benchOneRedisNode(load, users, settings.cores, log);
    if (settings.databaseUrl === undefined || settings.nodes < 2) {
      log("• multi-node run skipped: it needs DATABASE_URL (one PostgreSQL for every node) and BENCH_NODES >= 2");
      return single;
    }
    log(`• starting ${settings.nodes - 1} more nodes on the same PostgreSQL and Redis`);
    for (let index = 1; index < settings.nodes; index++) await start();
    const urls = servers.map((server) => server.baseUrl);
    return { ...single, cluster_me: await benchNodes(load, urls, users, settings.cores, log) };
  } finally {
    await Promise.all(servers.map((server) => stopChild(server.child)));
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The admin list and audit-log filter on seeded volumes. PostgreSQL only: the figures are
 * about its indexes, and seeding a million rows into the embedded PGlite says nothing useful.
 */
async function benchAdminScenarios(settings: BenchSettings): Promise<AdminBenchResult | { skipped: string }> {
  if (settings.databaseUrl === undefined) {
    log("• admin scenarios skipped: they need DATABASE_URL (PostgreSQL)");
    return { skipped: "needs DATABASE_URL (PostgreSQL)" };
  }
  const startServer = async (databaseUrl: string) => {
    const dataDir = mkdtempSync(join(tmpdir(), "gatehouse-bench-admin-"));
    onExit(() => rmSync(dataDir, { recursive: true, force: true }));
    const server = await startGatehouse({ ...settings, databaseUrl }, dataDir);
    return { baseUrl: server.baseUrl, stop: () => stopChild(server.child) };
  };
  return benchAdmin(
    {
      users: settings.adminUsers,
      auditRows: settings.auditRows,
      connections: Math.min(settings.connections, 10),
      durationSeconds: settings.durationSeconds,
    },
    settings.databaseUrl,
    startServer,
    log,
  );
}

/** The chat scenarios (chat-scenarios.ts), each server on its own data directory. */
function benchChat(settings: BenchSettings) {
  const start: StartChatServer = async (env) => {
    const dataDir = mkdtempSync(join(tmpdir(), "gatehouse-bench-chat-"));
    onExit(() => rmSync(dataDir, { recursive: true, force: true }));
    const server = await startGatehouse(settings, dataDir, env);
    return {
      ...server,
      stop: () => stopChild(server.child).then(() => rmSync(dataDir, { recursive: true, force: true })),
    };
  };
  return benchChatScenarios(settings, start, log);
}

/** Peak RSS and heap under mixed load (`BENCH_ONLY=memory`): its own server, nothing else running. */
async function benchMemoryScenario(settings: BenchSettings) {
  const dataDir = mkdtempSync(join(tmpdir(), "gatehouse-bench-memory-"));
  onExit(() => rmSync(dataDir, { recursive: true, force: true }));
  const snapshotDir = process.env.BENCH_HEAP_SNAPSHOTS?.trim() || undefined;
  const metricsPort = await freePort();
  const server = await startGatehouse(settings, dataDir, memoryBenchEnv(metricsPort, snapshotDir));
  try {
    const memory = { ...settings, runId: randomBytes(4).toString("hex"), snapshotDir };
    return await benchMemory(memory, { ...server, metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` }, log);
  } finally {
    await stopChild(server.child);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function environmentOf(settings: BenchSettings): Record<string, unknown> {
  return {
    node: process.version,
    cpus: settings.cores,
    cpu_model: cpus()[0]?.model ?? "unknown",
    memory_gib: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    database: databaseLabel(settings.databaseUrl),
    redis: settings.redisUrl === undefined ? "none" : new URL(settings.redisUrl).host,
    duration_seconds: settings.durationSeconds,
    connections: settings.connections,
    users: settings.users,
    me_probe_connections: settings.probeConnections,
    me_probe_rate: settings.probeRate,
    nodes: settings.nodes,
    load_average: loadavg().map((load) => Math.round(load * 100) / 100),
    peers: settings.peers,
  };
}

const loadAverage = () =>
  loadavg()
    .map((load) => load.toFixed(2))
    .join(" ");

async function main(): Promise<void> {
  installExitHandlers();
  const settings = readSettings();
  const startedAt = new Date().toISOString();
  log(`Gatehouse bench: ${settings.cores} cores, Node ${process.version}, ${databaseLabel(settings.databaseUrl)}`);
  if (settings.only === "admin") {
    const admin = await benchAdminScenarios(settings);
    log(JSON.stringify(admin, null, 2));
    const report = { started_at: startedAt, environment: environmentOf(settings), admin };
    log(`\nresults: ${writeReport(RESULTS_DIR, report)}`);
    return;
  }
  if (settings.only === "chat" || settings.only === "memory") {
    const chat = settings.only === "chat" ? await benchChat(settings) : undefined;
    const only = chat ?? { memory: await benchMemoryScenario(settings) };
    log(JSON.stringify(only, null, 2));
    const targets = chat === undefined ? undefined : chatTargetsOf(chat);
    if (targets !== undefined) log(`\nchat targets, load average ${loadAverage()}:\n${formatTargets(targets)}`);
    const report = { started_at: startedAt, environment: environmentOf(settings), scenarios: only, targets };
    log(`\nresults: ${writeReport(RESULTS_DIR, report)}`);
    return;
  }
  const hello = await benchHello(settings);
  log(
    `• rate-limit check: ${settings.durationSeconds}s each, memory${settings.redisUrl ? " and Redis" : " (no REDIS_URL)"}`,
  );
  const rateLimitCheck = await measureRateLimitCheck(settings.redisUrl, settings.durationSeconds, settings.connections);
  log(`• rate-limit hook: ${settings.durationSeconds}s, in process (inject)`);
  const rateLimitHook = await measureRateLimitHook(settings.durationSeconds);
  const scenarios = {
    hello,
    rate_limit_check: rateLimitCheck,
    rate_limit_hook: rateLimitHook,
    ...(await benchGatehouse(settings)),
    ...(settings.redisUrl === undefined ? {} : { redis: await benchRedis(settings, settings.redisUrl) }),
    ...(await benchChat(settings)),
  };
  const admin = await benchAdminScenarios(settings);
  const measured = {
    started_at: startedAt,
    finished_at: new Date().toISOString(),
    environment: environmentOf(settings),
    scenarios,
    admin,
    startup: startupTimes(settings),
    ratios: ratiosOf(scenarios),
  };
  const report: BenchReport & { targets: TargetRow[] } = { ...measured, targets: targetsOf(measured) };
  log("");
  log(formatReport(report));
  log(`\nperformance targets, load average ${loadAverage()}:`);
  log(formatTargets(report.targets));
  log(`\nresults: ${writeReport(RESULTS_DIR, report)}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
