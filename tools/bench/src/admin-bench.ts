import { randomBytes } from "node:crypto";
import type autocannon from "autocannon";
import postgres, { type Sql } from "postgres";
import { JSON_HEADERS, tokensOf } from "./gatehouse-client.js";
import { runLoad, type ScenarioResult } from "./load.js";
import type { LoadSettings } from "./scenarios.js";

export interface AdminBenchSettings {
  readonly users: number;
  readonly auditRows: number;
  readonly connections: number;
  readonly durationSeconds: number;
}

export interface AdminBenchResult {
  readonly seeded: { readonly users: number; readonly audit_rows: number; readonly seconds: number };
  readonly user_search: ScenarioResult;
  readonly audit_by_user: ScenarioResult;
  readonly audit_by_action_and_window: ScenarioResult;
  /** Server-side execution time of one filtered page query (EXPLAIN ANALYZE), per scenario. */
  readonly sql_execution_ms: Readonly<Record<string, number>>;
}

const AUDIT_ACTIONS = [
  "auth.login",
  "auth.refresh",
  "auth.logout",
  "auth.login_failed",
  "user.update",
  "user.create",
  "user.delete",
  "user.suspend",
  "access.denied",
  "auth.register",
];
/** How many distinct users act in the seeded audit trail. */
const AUDIT_ACTORS = 1000;

/** A private database next to DATABASE_URL's, so the bench never writes into real data. */
export async function createBenchDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `gh_bench_${randomBytes(4).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/**
 * Seeds users and audit rows with set-based SQL (generate_series), which takes seconds where
 * the API would take hours. Names and emails come from md5 so substring searches hit few rows,
 * like searching a real directory.
 */
export async function seed(sql: Sql, settings: AdminBenchSettings): Promise<void> {
  await sql`
    INSERT INTO users (username, email, password_hash, full_name, status, created_at)
    SELECT 'u' || substr(md5(n::text), 1, 12),
           substr(md5(n::text), 13, 12) || '.' || n || '@example.com',
           '!password-reset-required',
           'Person ' || substr(md5((n * 7)::text), 1, 8),
           CASE WHEN n % 20 = 0 THEN 'suspended' ELSE 'active' END,
           now() - (n % 365) * interval '1 day'
    FROM generate_series(1, ${settings.users}::int) AS n`;
  await sql`INSERT INTO user_roles (user_id, role_id) SELECT u.id, r.id FROM users u, roles r WHERE r.name = 'user' ON CONFLICT DO NOTHING`;
  await sql`
    WITH actors AS (SELECT array_agg(id) AS ids FROM (SELECT id FROM users ORDER BY id LIMIT ${AUDIT_ACTORS}) a)
    INSERT INTO audit_logs (timestamp, user_id, action, resource_type, resource_id, ip_address, status, details, duration_ms)
    SELECT now() - (n::float8 / ${settings.auditRows}) * interval '90 days',
           actors.ids[1 + (n::bigint * 7919) % array_length(actors.ids, 1)],
           (${AUDIT_ACTIONS}::text[])[1 + n % ${AUDIT_ACTIONS.length}],
           'user',
           actors.ids[1 + (n::bigint * 104729) % array_length(actors.ids, 1)],
           '10.0.0.1',
           CASE WHEN n % 25 = 0 THEN 'failure' ELSE 'success' END,
           '{"changes":{"department":{"old":"a","new":"b"}}}'::jsonb,
           n % 90
    FROM generate_series(1, ${settings.auditRows}::int) AS n, actors`;
  // What autovacuum would have done by the time a real table held this much: statistics for the
  // planner and a visibility map for index-only counts.
  await sql`VACUUM ANALYZE users`;
  await sql`VACUUM ANALYZE user_roles`;
  await sql`VACUUM ANALYZE audit_logs`;
}

async function superAdminToken(baseUrl: string, sql: Sql): Promise<string> {
  const tag = randomBytes(4).toString("hex");
  const admin = {
    username: `bench_admin_${tag}`,
    email: `bench.admin.${tag}@example.com`,
    password: `Bench-${tag}-Pw1`,
  };
  const registered = await fetch(`${baseUrl}/api/v1/auth/register`, {
    method: "POST",
    headers: JSON_HEADERS,
    body: JSON.stringify(admin),
  });
  if (registered.status !== 201) throw new Error(`admin register answered ${registered.status}`);
  await sql`INSERT INTO user_roles (user_id, role_id) SELECT u.id, r.id FROM users u, roles r WHERE u.email = ${admin.email} AND r.name = 'super_admin'`;
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: "POST",
    headers: JSON_HEADERS,
    body: JSON.stringify({ email: admin.email, password: admin.password }),
  });
  if (login.status !== 200) throw new Error(`admin login answered ${login.status}`);
  return tokensOf(await login.json()).accessToken;
}

/** GETs cycling through `paths`, all with the admin's token. */
function rotatingGet(load: LoadSettings, token: string, paths: readonly string[]): autocannon.Options {
  let next = 0;
  return {
    url: `${load.baseUrl}${paths[0]}`,
    connections: load.connections,
    duration: load.durationSeconds,
    timeout: 30,
    requests: [
      {
        method: "GET",
        headers: { authorization: `Bearer ${token}` },
        setupRequest: (request) => ({ ...request, path: paths[next++ % paths.length] ?? "/" }),
      },
    ],
  };
}

/** Execution time PostgreSQL reports for one query (planning excluded). */
async function executionMs(sql: Sql, query: string): Promise<number> {
  const rows = await sql.unsafe(`EXPLAIN (ANALYZE, FORMAT JSON) ${query}`);
  const plan = (rows[0] as unknown as { "QUERY PLAN": Array<{ "Execution Time": number }> })["QUERY PLAN"][0];
  return Math.round((plan?.["Execution Time"] ?? 0) * 100) / 100;
}

async function sqlTimings(sql: Sql, term: string, actor: string): Promise<Record<string, number>> {
  const searchText = `(username || E'\\x1f' || email || E'\\x1f' || coalesce(full_name, ''))`;
  const userWhere = `deleted_at IS NULL AND ${searchText} ILIKE '%${term}%'`;
  const byUser = `user_id = '${actor}'`;
  const byAction = `action = 'user.update' AND timestamp >= now() - interval '7 days'`;
  const page = (where: string) =>
    `SELECT * FROM audit_logs WHERE ${where} ORDER BY timestamp DESC NULLS LAST, id DESC LIMIT 50`;
  return {
    user_search_page: await executionMs(
      sql,
      `SELECT * FROM users WHERE ${userWhere} ORDER BY created_at DESC, id DESC LIMIT 20`,
    ),
    user_search_count: await executionMs(sql, `SELECT count(*) FROM users WHERE ${userWhere}`),
    audit_by_user_page: await executionMs(sql, page(byUser)),
    audit_by_user_count: await executionMs(sql, `SELECT count(*) FROM audit_logs WHERE ${byUser}`),
    audit_by_action_week_page: await executionMs(sql, page(byAction)),
    audit_by_action_week_count: await executionMs(sql, `SELECT count(*) FROM audit_logs WHERE ${byAction}`),
  };
}

/**
 * The admin scenarios on PostgreSQL: the user list searched over `users` accounts and the
 * audit-log list filtered over `auditRows` entries, both seeded by the bench into a private
 * database that `startServer` serves.
 */
export async function benchAdmin(
  settings: AdminBenchSettings,
  databaseUrl: string,
  startServer: (databaseUrl: string) => Promise<{ baseUrl: string; stop(): Promise<void> }>,
  log: (line: string) => void,
): Promise<AdminBenchResult> {
  const database = await createBenchDatabase(databaseUrl);
  try {
    const server = await startServer(database.url);
    const sql = postgres(database.url, { max: 2, onnotice: () => {} });
    try {
      log(`• seeding ${settings.users} users and ${settings.auditRows} audit rows (generate_series)`);
      const seedStart = Date.now();
      await seed(sql, settings);
      const seconds = Math.round((Date.now() - seedStart) / 100) / 10;
      const token = await superAdminToken(server.baseUrl, sql);
      const load: LoadSettings = {
        baseUrl: server.baseUrl,
        connections: settings.connections,
        durationSeconds: settings.durationSeconds,
      };

      const terms = (await sql`SELECT substr(username, 4, 4) AS term FROM users ORDER BY random() LIMIT 50`).map(
        (row) => String(row.term),
      );
      const actors = (await sql`SELECT id FROM users ORDER BY id LIMIT ${AUDIT_ACTORS}`).map((row) => String(row.id));
      log(
        `• admin user search: ${settings.durationSeconds}s, ${settings.connections} connections, ${terms.length} terms`,
      );
      const userSearch = await runLoad(
        rotatingGet(
          load,
          token,
          terms.map((term) => `/api/v1/admin/users?search=${term}&per_page=20`),
        ),
      );
      log(`• audit log by user_id: ${settings.durationSeconds}s, ${settings.connections} connections`);
      const auditByUser = await runLoad(
        rotatingGet(
          load,
          token,
          actors.slice(0, 100).map((id) => `/api/v1/admin/audit-logs?user_id=${id}&per_page=50`),
        ),
      );
      log(`• audit log by action within the last 7 days: ${settings.durationSeconds}s`);
      const since = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();
      const auditByAction = await runLoad(
        rotatingGet(
          load,
          token,
          AUDIT_ACTIONS.map((action) => `/api/v1/admin/audit-logs?action=${action}&from=${since(7)}&per_page=50`),
        ),
      );
      return {
        seeded: { users: settings.users, audit_rows: settings.auditRows, seconds },
        user_search: userSearch,
        audit_by_user: auditByUser,
        audit_by_action_and_window: auditByAction,
        sql_execution_ms: await sqlTimings(sql, terms[0] ?? "abcd", actors[0] ?? ""),
      };
    } finally {
      await sql.end({ timeout: 5 });
      await server.stop();
    }
  } finally {
    await database.drop();
  }
}
