import autocannon from "autocannon";
import { type LatencySummary, round, summarizeLatencies } from "./stats.js";

export interface ScenarioResult {
  /** Completed responses per second over the run, whatever their status. */
  readonly requests_per_second: number;
  /** 2xx responses per second. */
  readonly ok_per_second: number;
  readonly total: number;
  readonly non_2xx: number;
  /** Connection errors and timeouts (no response at all). */
  readonly errors: number;
  readonly timeouts: number;
  readonly status_codes: Record<string, number>;
  readonly latency_ms: LatencySummary;
  readonly connections: number;
  readonly duration_seconds: number;
}

function statusCodes(result: autocannon.Result): Record<string, number> {
  const codes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) codes[code] = stats.count ?? 0;
  return codes;
}

function summarize(result: autocannon.Result, latencies: readonly number[]): ScenarioResult {
  const ok = result["2xx"];
  const total = latencies.length;
  return {
    requests_per_second: round(total / result.duration),
    ok_per_second: round(ok / result.duration),
    total,
    non_2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    status_codes: statusCodes(result),
    latency_ms: summarizeLatencies(latencies),
    connections: result.connections,
    duration_seconds: round(result.duration),
  };
}

/**
 * One autocannon run. Latencies are recorded per response (autocannon's own histogram has
 * no p95), so the percentiles cover every response, 2xx or not.
 */
export function runLoad(options: autocannon.Options): Promise<ScenarioResult> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    const instance = autocannon(options, (error: unknown, result) => {
      if (error) reject(error instanceof Error ? error : new Error(String(error)));
      else resolve(summarize(result, latencies));
    });
    instance.on("response", (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
    });
  });
}
