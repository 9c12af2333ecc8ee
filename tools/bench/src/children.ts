import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** A child process the bench started; killed on exit whatever happens. */
export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly exited: Promise<number | null>;
  /** The end of what it wrote on stderr, for error messages. */
  stderrTail(): string;
}

const running = new Set<ChildProcess>();
const exitCleanups: Array<() => void> = [];

/** Registers synchronous work for process exit (removing temp directories). */
export function onExit(cleanup: () => void): void {
  exitCleanups.push(cleanup);
}

/** Kills every child still running on exit, on an uncaught error and on SIGINT/SIGTERM. */
export function installExitHandlers(): void {
  process.on("exit", () => {
    for (const child of running) child.kill("SIGKILL");
    for (const cleanup of exitCleanups) cleanup();
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      process.stderr.write(`bench: ${signal} received, stopping children\n`);
      process.exit(130);
    });
  }
}

/**
 * Node flags for every child (`BENCH_NODE_FLAGS`, space-separated), e.g. `--cpu-prof
 * --cpu-prof-dir=/tmp/prof` to profile the servers: Node refuses `--cpu-prof` in NODE_OPTIONS.
 */
function childFlags(): string[] {
  return (process.env.BENCH_NODE_FLAGS ?? "").split(" ").filter((flag) => flag !== "");
}

/** Runs `node script` with stdout on /dev/null (like a server whose logs nobody reads). */
export function startChild(name: string, script: string, env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, [...childFlags(), script], { env, stdio: ["ignore", "ignore", "pipe"] });
  running.add(child);
  let tail = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    tail = (tail + chunk.toString("utf8")).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => {
      running.delete(child);
      resolve(code);
    });
  });
  return { name, process: child, exited, stderrTail: () => tail.trim() };
}

/** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stopChild(child: Child, graceMs = 10_000): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill("SIGTERM");
  const stopped = await Promise.race([child.exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!stopped) {
    child.process.kill("SIGKILL");
    await child.exited;
  }
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 200; fails early if the child exits. */
export async function waitForHttp(url: string, child: Child, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) {
      throw new Error(`${child.name} exited with code ${child.process.exitCode}: ${child.stderrTail()}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${child.name} did not answer 200 on ${url} within ${timeoutMs} ms: ${child.stderrTail()}`);
}
