/** A Redis command that got no answer within the command timeout (a frozen server). */
export class RedisStalledError extends Error {
  readonly code = "ETIMEDOUT";
  constructor(message: string) {
    super(message);
    this.name = "RedisStalledError";
  }
}

/**
 * Bounds every command on our side: node-redis drops its own command timeout once a command
 * is written, so a frozen server (accepting, never answering) would hang every caller. The
 * first command that times out marks the connection stalled: until a background PING answers,
 * every command fails at once and `isReady()` is false, so callers take their in-memory path
 * and a frozen Redis costs at most one timeout per node.
 */
export function stallGuard(
  backend: { ping(): Promise<unknown> },
  timeoutMs: number,
  onRecovered: () => void,
  outage: { failed(error: unknown): void },
) {
  let stalled = false;
  let stopped = false;
  let probeTimer: ReturnType<typeof setTimeout> | undefined;
  const bounded = <T>(work: Promise<T>): Promise<T> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RedisStalledError(`Redis did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    // A late answer (or failure) of the abandoned command is dropped.
    work.catch(() => {});
    return Promise.race([work, expired]).finally(() => clearTimeout(timer));
  };
  const probe = () => {
    if (stopped) return;
    bounded(backend.ping()).then(
      () => {
        stalled = false;
        onRecovered();
      },
      () => {
        probeTimer = setTimeout(probe, Math.max(250, timeoutMs));
        probeTimer.unref();
      },
    );
  };
  const markStalled = (error: unknown) => {
    if (stalled || stopped) return;
    stalled = true;
    outage.failed(error);
    probeTimer = setTimeout(probe, Math.max(250, timeoutMs));
    probeTimer.unref();
  };
  return {
    stalled: () => stalled,
    call<T>(work: () => Promise<T>): Promise<T> {
      if (stalled) return Promise.reject(new RedisStalledError("Redis is not answering: using the fallback"));
      return bounded(work()).catch((error: unknown) => {
        if (error instanceof RedisStalledError) markStalled(error);
        throw error;
      });
    },
    stop() {
      stopped = true;
      clearTimeout(probeTimer);
    },
  };
}
