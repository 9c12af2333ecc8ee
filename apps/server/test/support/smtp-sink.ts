import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const SCRIPT = fileURLToPath(new URL("./smtp-sink-process.mjs", import.meta.url));

/**
 * A real SMTP server (the `smtp-server` package) in its own child process on a fixed loopback
 * port, so it can be down (not started yet, or stopped), frozen with SIGSTOP and thawed with
 * SIGCONT. It only records who each accepted message was for.
 */
export class SmtpSinkProcess {
  private readonly delivered: string[] = [];
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(readonly port: number) {}

  /** `SMTP_URL` for Gatehouse: plain SMTP, no TLS, no authentication. */
  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** Starts the process and waits until it listens (bounded: a sink that cannot bind fails the test). */
  async start(): Promise<void> {
    const child = spawn(process.execPath, [SCRIPT, String(this.port)], { stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    this.exited = new Promise((resolve) => child.once("exit", () => resolve()));
    let output = "";
    let buffered = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`SMTP sink did not start:\n${output}`)), 10_000);
      child.stderr?.on("data", (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.stdout?.on("data", (chunk: Buffer) => {
        buffered += chunk.toString();
        for (let end = buffered.indexOf("\n"); end >= 0; end = buffered.indexOf("\n")) {
          const line = buffered.slice(0, end);
          buffered = buffered.slice(end + 1);
          if (line === "listening") {
            clearTimeout(timer);
            resolve();
          } else this.delivered.push(...(JSON.parse(line) as { to: string[] }).to);
        }
      });
      void this.exited.then(() => reject(new Error(`SMTP sink exited:\n${output}`)));
    });
  }

  /** SIGSTOP: connections are still accepted by the kernel, nothing is ever answered. */
  freeze(): void {
    if (this.child?.pid !== undefined) process.kill(this.child.pid, "SIGSTOP");
  }

  /** SIGCONT: the sink answers again, including what was written to it while frozen. */
  thaw(): void {
    if (this.child?.pid !== undefined) process.kill(this.child.pid, "SIGCONT");
  }

  /** Stops the process by its pid (thawed first so it can close; killed if it does not within 2 s). */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    process.kill(child.pid, "SIGCONT");
    process.kill(child.pid, "SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), 2000);
    await this.exited;
    clearTimeout(killer);
  }

  /** How many messages for `to` were accepted. */
  mailsTo(to: string): number {
    return this.delivered.filter((address) => address === to.toLowerCase()).length;
  }

  /** Waits until `count` messages for `to` arrived; the timeout only bounds a failing test. */
  async waitForMail(to: string, timeoutMs: number, count = 1): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.mailsTo(to) < count) {
      if (Date.now() > deadline) throw new Error(`no mail #${count} for ${to} within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
