import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** Debian's package; `.ci/run` installs it when missing. PGBOUNCER_BIN overrides the path. */
export function pgbouncerBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const path = env.PGBOUNCER_BIN?.trim() || "/usr/sbin/pgbouncer";
  return existsSync(path) ? path : undefined;
}

export interface RunningPgBouncer {
  /** `postgres://user@127.0.0.1:port/` : put a database name after it. */
  readonly url: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port }, () => {
      socket.end();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * PgBouncer in transaction mode on a free loopback port in front of `postgresUrl`'s server,
 * with a private config in a temporary directory. `auth_type = any` with the server's user
 * on the wildcard database: any client name is accepted and every database of the server is
 * reachable, which is what per-test `gh_test_*` databases need. PgBouncer refuses to run as
 * root, so as root it drops to the `postgres` system user (`-u postgres`), which then owns the
 * directory (pid file, log). `statement_timeout` is a startup parameter PgBouncer does not
 * forward, so it is ignored there: behind it, the client-side deadline is the bound.
 */
export async function startPgBouncer(postgresUrl: string, binary: string): Promise<RunningPgBouncer> {
  const server = new URL(postgresUrl);
  const user = decodeURIComponent(server.username || "postgres");
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "gh-pgbouncer-"));
  const password = server.password === "" ? "" : ` password=${decodeURIComponent(server.password)}`;
  writeFileSync(
    join(dir, "pgbouncer.ini"),
    [
      "[databases]",
      `* = host=${server.hostname} port=${server.port || "5432"} user=${user}${password}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "unix_socket_dir =",
      "auth_type = any",
      "pool_mode = transaction",
      "max_client_conn = 2000",
      "default_pool_size = 40",
      "ignore_startup_parameters = statement_timeout,extra_float_digits,options",
      `pidfile = ${join(dir, "pgbouncer.pid")}`,
      `logfile = ${join(dir, "pgbouncer.log")}`,
      "",
    ].join("\n"),
  );
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chownSync(dir, uid, gid);
  }
  const child: ChildProcess = spawn(binary, [...(asRoot ? ["-u", "postgres"] : []), join(dir, "pgbouncer.ini")], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString("utf8")).slice(-2000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`pgbouncer did not start on 127.0.0.1:${port}: ${stderr.trim()}`);
    }
    await sleep(50);
  }
  return { url: `postgres://${encodeURIComponent(user)}@127.0.0.1:${port}/`, stop };
}
