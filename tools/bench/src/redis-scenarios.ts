import type { Credentials } from "./gatehouse-client.js";
import { logInSessions } from "./gatehouse-client.js";
import { runLoad, type ScenarioResult } from "./load.js";
import { type LoadSettings, meOptions, type RefreshChains, refreshOptions } from "./scenarios.js";

export interface ClusterRun {
  readonly nodes: number;
  /** GET /me on every node at once, `connections / nodes` connections each. */
  readonly per_node: readonly ScenarioResult[];
  readonly aggregate_ok_per_second: number;
  readonly worst_p99_ms: number;
}

export interface RedisScenarios {
  /** GET /me with REDIS_URL set: profile and grants from the shared cache (warm after the first call). */
  readonly me_redis: ScenarioResult;
  readonly refresh_redis: ScenarioResult & { readonly chains_restarted: number; readonly chains_stranded: number };
  /** Undefined without DATABASE_URL: several processes need one PostgreSQL. */
  readonly cluster_me?: ClusterRun;
}

type Log = (line: string) => void;

/** GET /me and chained refreshes against one node that uses Redis. */
export async function benchOneRedisNode(
  load: LoadSettings,
  users: readonly Credentials[],
  cores: number,
  log: Log,
): Promise<Omit<RedisScenarios, "cluster_me">> {
  const meSessions = await logInSessions(load.baseUrl, users, load.connections, cores * 2);
  log(`• me with Redis (warm cache): ${load.durationSeconds}s, ${load.connections} connections`);
  const meRedis = await runLoad(meOptions(load, meSessions));
  const refreshSessions = await logInSessions(load.baseUrl, users, load.connections * 2, cores * 2);
  const chains: RefreshChains = { restarted: 0, stranded: 0 };
  log(`• refresh with Redis: ${load.durationSeconds}s, ${load.connections} connections`);
  const refresh = await runLoad(refreshOptions(load, refreshSessions, chains));
  return {
    me_redis: meRedis,
    refresh_redis: { ...refresh, chains_restarted: chains.restarted, chains_stranded: chains.stranded },
  };
}

/** The same load spread round-robin over every node (autocannon against each at once). */
export async function benchNodes(
  load: LoadSettings,
  baseUrls: readonly string[],
  users: readonly Credentials[],
  cores: number,
  log: Log,
): Promise<ClusterRun> {
  const perNode = Math.max(1, Math.floor(load.connections / baseUrls.length));
  const sessions = await logInSessions(baseUrls[0] as string, users, load.connections, cores * 2);
  log(`• me on ${baseUrls.length} nodes at once: ${load.durationSeconds}s, ${perNode} connections each`);
  const results = await Promise.all(
    baseUrls.map((baseUrl) => runLoad(meOptions({ ...load, baseUrl, connections: perNode }, sessions))),
  );
  return {
    nodes: baseUrls.length,
    per_node: results,
    aggregate_ok_per_second: Math.round(results.reduce((sum, result) => sum + result.ok_per_second, 0) * 10) / 10,
    worst_p99_ms: Math.max(...results.map((result) => result.latency_ms.p99)),
  };
}
