import type { Clock, HealthProbe } from "@gatehouse/domain";

export interface ProbeResult {
  readonly status: "healthy" | "unhealthy";
  readonly latency_ms: number | null;
  readonly error?: string;
  readonly [detail: string]: unknown;
}

export interface HealthReport {
  /** `ready` when every probe answered; `not_ready` when any critical probe failed. */
  readonly status: "ready" | "degraded" | "not_ready";
  readonly checks: Readonly<Record<string, ProbeResult>>;
}

export interface CheckHealthDeps {
  readonly probes: readonly HealthProbe[];
  /** Probes whose failure only degrades service (a cache), rather than stopping it. */
  readonly optionalProbes?: readonly string[];
  readonly timeoutMs: number;
  readonly clock: Clock;
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Pings every dependency in parallel, each bounded by the health-check timeout. */
export function makeCheckHealth(deps: CheckHealthDeps) {
  async function runProbe(probe: HealthProbe, withDetails: boolean): Promise<ProbeResult> {
    const started = deps.clock.now().getTime();
    try {
      await withTimeout(probe.ping(), deps.timeoutMs);
      const latency = deps.clock.now().getTime() - started;
      const extra = withDetails && probe.details ? await withTimeout(probe.details(), deps.timeoutMs) : {};
      return { ...extra, status: "healthy", latency_ms: latency };
    } catch (error) {
      // The message names the failure class only (timeout, refused); never credentials.
      const message = error instanceof Error ? error.message.split("\n")[0] : "unreachable";
      return { status: "unhealthy", latency_ms: null, error: message };
    }
  }

  return async function checkHealth(options: { details?: boolean } = {}): Promise<HealthReport> {
    const results = await Promise.all(deps.probes.map((probe) => runProbe(probe, options.details === true)));
    const checks: Record<string, ProbeResult> = {};
    let status: HealthReport["status"] = "ready";
    deps.probes.forEach((probe, index) => {
      const result = results[index] as ProbeResult;
      checks[probe.name] = result;
      if (result.status === "unhealthy") {
        status = deps.optionalProbes?.includes(probe.name) && status !== "not_ready" ? "degraded" : "not_ready";
      }
    });
    return { status, checks };
  };
}

export type CheckHealth = ReturnType<typeof makeCheckHealth>;
