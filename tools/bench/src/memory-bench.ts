import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Child } from "./children.js";
import { type Credentials, JSON_HEADERS, registerUsers, type Session, tokensOf } from "./gatehouse-client.js";
import { LOGIN_PATH, ME_PATH, REFRESH_PATH } from "./scenarios.js";
import { round } from "./stats.js";

/** What the memory scenario measures of one server process under mixed load. */
export interface MemoryBenchResult {
  /** Resident set size once `/health/ready` answered, before any request. */
  readonly rss_ready_mib: number;
  /** After registering the users (each registration hashes once). */
  readonly rss_idle_mib: number;
  /** The kernel's high-water mark (`VmHWM`) at the end of the load: the true peak. */
  readonly rss_peak_mib: number;
  readonly rss_after_mib: number;
  readonly heap_used_ready_mib: number;
  readonly heap_used_peak_mib: number;
  readonly heap_used_after_mib: number;
  readonly heap_total_peak_mib: number;
  readonly requests: Record<"register" | "login" | "refresh" | "me" | "failed", number>;
  readonly connections: number;
  readonly duration_seconds: number;
  /** Heap snapshots taken before and after the load (with `BENCH_HEAP_SNAPSHOTS`). */
  readonly heap_snapshots: readonly string[];
}

export interface MemoryBenchSettings {
  readonly durationSeconds: number;
  readonly connections: number;
  readonly users: number;
  readonly runId: string;
  /** Where the server writes heap snapshots on SIGUSR2, when it was started with the flags below. */
  readonly snapshotDir: string | undefined;
}

/** The server child's extra environment: metrics for the heap figures, snapshots on demand. */
export function memoryBenchEnv(metricsPort: number, snapshotDir: string | undefined): Record<string, string> {
  const env: Record<string, string> = { METRICS_PORT: String(metricsPort), METRICS_HOST: "127.0.0.1" };
  if (snapshotDir !== undefined) env.NODE_OPTIONS = `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${snapshotDir}`;
  return env;
}

const MIB = 1024 * 1024;

function procStatusMib(child: Child, field: "VmRSS" | "VmHWM"): number {
  const status = readFileSync(`/proc/${child.process.pid}/status`, "utf8");
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN) / 1024;
}

async function heapMib(metricsUrl: string): Promise<{ used: number; total: number }> {
  const text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(5000) })).text();
  const gauge = (name: string) => Number(new RegExp(`^${name} ([0-9.e+]+)`, "m").exec(text)?.[1] ?? Number.NaN) / MIB;
  return { used: gauge("nodejs_heap_size_used_bytes"), total: gauge("nodejs_heap_size_total_bytes") };
}

/**
 * Signals the child to write a heap snapshot and waits until it is written: the server writes
 * it on its main thread, so the file is complete once the server answers again.
 */
async function heapSnapshot(child: Child, baseUrl: string, dir: string): Promise<string> {
  const before = new Set(readdirSync(dir));
  child.process.kill("SIGUSR2");
  for (let attempt = 0; attempt < 600; attempt++) {
    await sleep(200);
    const added = readdirSync(dir).find((file) => !before.has(file) && file.endsWith(".heapsnapshot"));
    if (added === undefined) continue;
    const live = await fetch(`${baseUrl}/health/live`, { signal: AbortSignal.timeout(1000) }).then(
      (response) => response.status === 200,
      () => false,
    );
    if (live) return join(dir, added);
  }
  throw new Error("the server wrote no heap snapshot within 120 s");
}

async function postJson(url: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(url, { method: "POST", headers: JSON_HEADERS, body: JSON.stringify(body) });
  return { status: response.status, json: await response.json() };
}

/**
 * One client lane: 5 % registrations, 15 % logins, 30 % refreshes (chained), 50 % `GET /me`,
 * until `endAt`. The mix puts argon2 (register, login), the refresh function and the token
 * cache under load together, as a busy node sees them.
 */
async function lane(
  baseUrl: string,
  users: Credentials[],
  /** A user-name stem no other lane gets (lanes register at the same time; a taken name is a 409). */
  nextRunId: () => string,
  endAt: number,
  counts: MemoryBenchResult["requests"],
) {
  const logIn = async (user: Credentials) => tokensOf((await postJson(`${baseUrl}${LOGIN_PATH}`, user)).json);
  let session: Session = await logIn(users[Math.floor(Math.random() * users.length)] as Credentials);
  while (Date.now() < endAt) {
    const roll = Math.random();
    try {
      if (roll < 0.05) {
        const [user] = await registerUsers(baseUrl, nextRunId(), 1, 1);
        if (user !== undefined) users.push(user);
        counts.register++;
      } else if (roll < 0.2) {
        session = await logIn(users[Math.floor(Math.random() * users.length)] as Credentials);
        counts.login++;
      } else if (roll < 0.5) {
        session = tokensOf((await postJson(`${baseUrl}${REFRESH_PATH}`, { refresh_token: session.refreshToken })).json);
        counts.refresh++;
      } else {
        const response = await fetch(`${baseUrl}${ME_PATH}`, {
          headers: { authorization: `Bearer ${session.accessToken}` },
        });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`me answered ${response.status}`);
        counts.me++;
      }
    } catch {
      counts.failed++;
    }
  }
}

/**
 * Peak RSS and heap of the server under `durationSeconds` of mixed load (ARCHITECTURE, Memory).
 * Heap figures come from the server's own `/metrics`; RSS from `/proc`. Heap snapshots, when
 * asked for, are taken after registering the users and after the load; writing one costs the
 * server about its heap again in RSS, so a run with snapshots reports no meaningful RSS peak.
 */
export async function benchMemory(
  settings: MemoryBenchSettings,
  server: { readonly child: Child; readonly baseUrl: string; readonly metricsUrl: string },
  log: (line: string) => void,
): Promise<MemoryBenchResult> {
  const ready = { rss: procStatusMib(server.child, "VmRSS"), heap: await heapMib(server.metricsUrl) };
  const users = await registerUsers(server.baseUrl, settings.runId, settings.users, 4);
  const rssIdle = procStatusMib(server.child, "VmRSS");
  const snapshots: string[] = [];
  if (settings.snapshotDir !== undefined)
    snapshots.push(await heapSnapshot(server.child, server.baseUrl, settings.snapshotDir));
  log(`• memory: ${settings.durationSeconds}s of mixed load, ${settings.connections} connections`);
  const counts = { register: 0, login: 0, refresh: 0, me: 0, failed: 0 };
  let peak = { used: 0, total: 0 };
  const sampler = setInterval(() => {
    heapMib(server.metricsUrl).then(
      (heap) => {
        peak = { used: Math.max(peak.used, heap.used), total: Math.max(peak.total, heap.total) };
      },
      () => undefined, // a scrape lost under load: the next one counts
    );
  }, 250);
  let registered = 0;
  const nextRunId = () => `${settings.runId}x${registered++}`;
  const endAt = Date.now() + settings.durationSeconds * 1000;
  try {
    await Promise.all(
      Array.from({ length: settings.connections }, () => lane(server.baseUrl, users, nextRunId, endAt, counts)),
    );
  } finally {
    clearInterval(sampler);
  }
  const rssPeak = procStatusMib(server.child, "VmHWM");
  const after = { rss: procStatusMib(server.child, "VmRSS"), heap: await heapMib(server.metricsUrl) };
  if (settings.snapshotDir !== undefined)
    snapshots.push(await heapSnapshot(server.child, server.baseUrl, settings.snapshotDir));
  return {
    rss_ready_mib: round(ready.rss),
    rss_idle_mib: round(rssIdle),
    rss_peak_mib: round(rssPeak),
    rss_after_mib: round(after.rss),
    heap_used_ready_mib: round(ready.heap.used),
    heap_used_peak_mib: round(Math.max(peak.used, after.heap.used)),
    heap_used_after_mib: round(after.heap.used),
    heap_total_peak_mib: round(Math.max(peak.total, after.heap.total)),
    requests: counts,
    connections: settings.connections,
    duration_seconds: settings.durationSeconds,
    heap_snapshots: snapshots,
  };
}
