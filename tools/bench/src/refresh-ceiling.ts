import { createHash, randomBytes, randomUUID } from "node:crypto";
import postgres from "postgres";
import type { Session } from "./gatehouse-client.js";
import { type LatencySummary, round, summarizeLatencies } from "./stats.js";

/** The rotation statement alone, chained like the HTTP scenario, straight from postgres.js. */
export interface RefreshCeiling {
  readonly connections: number;
  readonly rotations_per_second: number;
  readonly latency_ms: LatencySummary;
  /** Chains that stopped on a verdict other than `rotate` (should be 0). */
  readonly broken_chains: number;
}

const sha256Hex = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");

/**
 * The database's own ceiling for chained refreshes on this machine, as the argon2id ceiling is
 * for logins: each of `sessions` (one per connection) presents its refresh token to the
 * rotation function (migration 0012, the one statement a refresh sends), keeps the successor
 * and presents that next. No HTTP, no Fastify, no token signing: what is left is PostgreSQL
 * (the family lock, two writes, the audit row, the commit's WAL flush) and the driver. The
 * sessions are spent: their tokens move on without the server knowing.
 */
export async function measureRefreshCeiling(
  databaseUrl: string,
  sessions: readonly Session[],
  durationSeconds: number,
): Promise<RefreshCeiling> {
  const sql = postgres(databaseUrl, { max: sessions.length, onnotice: () => {} });
  const latencies: number[] = [];
  let rotations = 0;
  let broken = 0;
  try {
    const started = performance.now();
    const until = started + durationSeconds * 1000;
    await Promise.all(
      sessions.map(async (session) => {
        let presented = session.refreshToken;
        while (performance.now() < until) {
          const successor = randomBytes(32).toString("base64url");
          const now = new Date();
          const sent = performance.now();
          const [row] = await sql`SELECT verdict FROM gatehouse_present_refresh_token(
            ${sha256Hex(presented)}, ${randomUUID()}::uuid, ${sha256Hex(successor)},
            ${new Date(now.getTime() + 86_400_000).toISOString()}::timestamptz, ${"gatehouse-bench"},
            ${"127.0.0.1"}::inet, ${now.toISOString()}::timestamptz, ${10}::int, ${null}, ${1}::int,
            ${now.toISOString()}::timestamptz)`;
          latencies.push(performance.now() - sent);
          if (row?.verdict !== "rotate") {
            broken += 1;
            return;
          }
          rotations += 1;
          presented = successor;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return {
      connections: sessions.length,
      rotations_per_second: round(rotations / seconds),
      latency_ms: summarizeLatencies(latencies),
      broken_chains: broken,
    };
  } finally {
    await sql.end({ timeout: 5 });
  }
}
