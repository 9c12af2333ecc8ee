import { pgbouncerBinary, startPgBouncer } from "@gatehouse/infrastructure/testing/pgbouncer";
import { type Credentials, logInSessions } from "./gatehouse-client.js";
import { runLoad, type ScenarioResult } from "./load.js";
import { type LoadSettings, loginOptions, type RefreshChains, refreshOptions } from "./scenarios.js";

export interface PgBouncerBenchResult {
  readonly pooler: "pgbouncer (transaction mode)";
  readonly login: ScenarioResult;
  readonly refresh: ScenarioResult & { readonly chains_restarted: number; readonly chains_stranded: number };
}

export interface PgBouncerBenchSettings {
  readonly databaseUrl: string;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly cores: number;
}

/**
 * Login and chained refresh on a server whose DATABASE_URL goes through PgBouncer in
 * transaction mode (DATABASE_POOLER=pgbouncer, migrations on the direct URL), on the same
 * database and users as the direct run, so the two figures compare. Skipped without pgbouncer.
 */
export async function benchThroughPgBouncer(
  settings: PgBouncerBenchSettings,
  users: readonly Credentials[],
  startServer: (env: Record<string, string>) => Promise<{ baseUrl: string; stop(): Promise<void> }>,
  log: (line: string) => void,
): Promise<PgBouncerBenchResult | { skipped: string }> {
  const binary = pgbouncerBinary();
  if (binary === undefined) {
    log("• PgBouncer scenarios skipped: no pgbouncer binary (/usr/sbin/pgbouncer or PGBOUNCER_BIN)");
    return { skipped: "no pgbouncer binary" };
  }
  const bouncer = await startPgBouncer(settings.databaseUrl, binary);
  try {
    const pooledUrl = new URL(new URL(settings.databaseUrl).pathname, bouncer.url).toString();
    log(`• starting apps/server through PgBouncer (transaction mode) at ${new URL(bouncer.url).host}`);
    const server = await startServer({
      DATABASE_URL: pooledUrl,
      DATABASE_POOLER: "pgbouncer",
      DATABASE_MIGRATION_URL: settings.databaseUrl,
    });
    try {
      const load: LoadSettings = { ...settings, baseUrl: server.baseUrl };
      log(`• login through PgBouncer: ${settings.durationSeconds}s, ${settings.connections} connections`);
      const login = await runLoad(loginOptions(load, users));
      const sessions = await logInSessions(server.baseUrl, users, settings.connections * 2, settings.cores * 2);
      const chains: RefreshChains = { restarted: 0, stranded: 0 };
      log(`• refresh through PgBouncer: ${settings.durationSeconds}s, ${settings.connections} chained sessions`);
      const refresh = await runLoad(refreshOptions(load, sessions, chains));
      return {
        pooler: "pgbouncer (transaction mode)",
        login,
        refresh: { ...refresh, chains_restarted: chains.restarted, chains_stranded: chains.stranded },
      };
    } finally {
      await server.stop();
    }
  } finally {
    await bouncer.stop();
  }
}
