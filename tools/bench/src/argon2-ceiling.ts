import { makeArgon2Hasher } from "@gatehouse/infrastructure";
import { type LatencySummary, round, summarizeLatencies } from "./stats.js";

export interface Argon2Ceiling {
  readonly verifies_per_second: number;
  readonly total: number;
  readonly concurrency: number;
  readonly duration_seconds: number;
  readonly latency_ms: LatencySummary;
}

const PASSWORD = "Bench-Ceiling-Pw1";

/**
 * argon2id verify alone, with the server's hasher (default parameters, `concurrency` in flight):
 * the most logins per second this machine could serve if HTTP and the database were free.
 */
export async function measureArgon2Ceiling(durationSeconds: number, concurrency: number): Promise<Argon2Ceiling> {
  const hasher = makeArgon2Hasher({ maxConcurrency: concurrency });
  const hash = await hasher.hash(PASSWORD);
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + durationSeconds * 1000;
  const lane = async () => {
    while (performance.now() < deadline) {
      const begun = performance.now();
      if (!(await hasher.verify(PASSWORD, hash))) throw new Error("argon2 verify rejected the right password");
      latencies.push(performance.now() - begun);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const elapsedSeconds = (performance.now() - started) / 1000;
  return {
    verifies_per_second: round(latencies.length / elapsedSeconds),
    total: latencies.length,
    concurrency,
    duration_seconds: round(elapsedSeconds),
    latency_ms: summarizeLatencies(latencies),
  };
}
