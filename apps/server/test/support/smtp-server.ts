import type { AddressInfo } from "node:net";
import { type ParsedMail, simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";

/** One message as the test SMTP server received it, parsed. */
export interface ReceivedMail {
  readonly to: string;
  readonly from: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly parsed: ParsedMail;
}

function firstAddress(field: ParsedMail["to"]): string {
  const list = Array.isArray(field) ? field : field ? [field] : [];
  return list[0]?.value[0]?.address ?? "";
}

/**
 * A real SMTP server on a loopback port (the `smtp-server` package) that keeps every message
 * it accepts, parsed with `mailparser`. It can be stopped and started again on the same port
 * to simulate a mail server outage.
 */
export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  private server: SMTPServer | undefined;
  private waiters: Array<() => void> = [];

  private constructor(private port: number) {}

  /** Starts on a free loopback port. */
  static async start(): Promise<TestSmtpServer> {
    const smtp = new TestSmtpServer(0);
    await smtp.resume();
    return smtp;
  }

  /** `SMTP_URL` for Gatehouse: plain SMTP, no TLS, no authentication. */
  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  /** Starts listening (again) on the same port. */
  async resume(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS", "AUTH"],
      logger: false,
      closeTimeout: 50,
      onData: (stream, _session, callback) => {
        simpleParser(stream).then(
          (parsed) => {
            this.received.push({
              to: firstAddress(parsed.to),
              from: firstAddress(parsed.from),
              subject: parsed.subject ?? "",
              text: parsed.text ?? "",
              html: typeof parsed.html === "string" ? parsed.html : "",
              parsed,
            });
            for (const wake of this.waiters.splice(0)) wake();
            callback();
          },
          (error: Error) => callback(error),
        );
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and drops open connections: connection attempts are refused until `resume`. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Messages received for `to` (case-insensitive), oldest first. */
  mailsTo(to: string): ReceivedMail[] {
    return this.received.filter((mail) => mail.to.toLowerCase() === to.toLowerCase());
  }

  /**
   * Waits until `count` messages for `to` have arrived and returns the `count`-th. Resolves as
   * soon as they are there; the timeout only bounds a test that would otherwise hang.
   */
  async waitForMail(to: string, count = 1, timeoutMs = 15_000): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    while (this.mailsTo(to).length < count) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`no mail #${count} for ${to} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.mailsTo(to)[count - 1] as ReceivedMail;
  }
}

/** The 6-digit code in a code mail's text. */
export function codeIn(mail: Pick<ReceivedMail, "text">): string {
  const match = /\b(\d{6})\b/.exec(mail.text);
  if (!match?.[1]) throw new Error(`no 6-digit code in mail: ${mail.text}`);
  return match[1];
}
