import { execFile, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The newest PostgreSQL server binaries installed the Debian way, or undefined. */
function postgresBinDir(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((version) => existsSync(join(root, version, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], "bin");
}

/** The uid/gid of the `postgres` OS user (initdb refuses to run as root). */
function postgresUser(): { uid: number; gid: number } | undefined {
  const uid = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Why a private PostgreSQL cluster cannot be started here, or undefined. */
export function privatePostgresMissing(): string | undefined {
  if (postgresBinDir() === undefined) return "no initdb under /usr/lib/postgresql/*/bin";
  if (process.getuid?.() === 0 && postgresUser() === undefined) return "running as root without a postgres OS user";
  return undefined;
}

export async function freeLoopbackPort(): Promise<number> {
  const probe = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => probe.once("listening", resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** A PostgreSQL cluster of this test's own: stopped, restarted and frozen at will. */
export interface PrivatePostgres {
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:<port>/gatehouse` (trust authentication). */
  readonly url: string;
  start(): Promise<void>;
  stop(mode: "fast" | "immediate"): Promise<void>;
  /** SIGSTOP to the postmaster and every backend: connections are accepted, nothing answers. */
  freeze(): void;
  thaw(): void;
  /** Stops the cluster (if running) and removes its data directory. */
  dispose(): Promise<void>;
}

/** The postmaster and its children (backends, background workers), by scanning /proc. */
function clusterPids(postmaster: number): number[] {
  const pids = [postmaster];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (parent === postmaster) pids.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return pids;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  if (bin === undefined) throw new Error("no initdb under /usr/lib/postgresql/*/bin");
  const user = process.getuid?.() === 0 ? postgresUser() : undefined;
  const as = user === undefined ? {} : { uid: user.uid, gid: user.gid };
  const dir = mkdtempSync(join(tmpdir(), "gh-pg-"));
  if (user !== undefined) chownSync(dir, user.uid, user.gid);
  const data = join(dir, "data");
  const port = await freeLoopbackPort();
  const pgCtl = (args: string[]) => run(join(bin, "pg_ctl"), ["-D", data, ...args], { ...as, timeout: 30_000 });
  const postmasterPid = () => Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]);
  let running = false;
  const start = async () => {
    const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    await pgCtl(["-o", options, "-l", join(dir, "server.log"), "-w", "start"]);
    running = true;
  };
  const stop = async (mode: "fast" | "immediate") => {
    await pgCtl(["-m", mode, "-w", "stop"]);
    running = false;
  };
  try {
    await run(join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"], {
      ...as,
      timeout: 60_000,
    });
    await start();
    await run(
      join(bin, "psql"),
      ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-c", "CREATE DATABASE gatehouse"],
      {
        timeout: 10_000,
      },
    );
  } catch (error) {
    if (running) await stop("immediate").catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const signalAll = (signal: NodeJS.Signals) => {
    for (const pid of clusterPids(postmasterPid())) {
      try {
        process.kill(pid, signal);
      } catch {
        // ended meanwhile
      }
    }
  };
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/gatehouse`,
    start,
    stop,
    freeze: () => signalAll("SIGSTOP"),
    thaw: () => signalAll("SIGCONT"),
    async dispose() {
      if (running) {
        signalAll("SIGCONT");
        await stop("immediate").catch(() => {});
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
