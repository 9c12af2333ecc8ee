import type { Mailer } from "@gatehouse/domain";
import { createTransport } from "nodemailer";
import type { MailTemplateOverrides } from "./template-overrides.js";
import { renderMail } from "./templates.js";

export interface SmtpMailerSettings {
  /** `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465` (TLS). */
  readonly url: string;
  /** The From header, e.g. `Gatehouse <no-reply@example.com>`. */
  readonly from: string;
  /** Names the service in subjects. */
  readonly product: string;
  /** MAIL_TEMPLATES_DIR's templates, loaded at start; unset: the built-ins. */
  readonly templates?: MailTemplateOverrides | undefined;
  /** Overrides SMTP_TIMEOUTS_MS (tests use short ones to see the bound hold). */
  readonly timeoutsMs?: SmtpTimeouts | undefined;
}

/** How long the transport waits for silence to end, per phase, before it fails the attempt. */
export interface SmtpTimeouts {
  /** TCP connect. */
  readonly connection: number;
  /** The server's 220 greeting after the connection opened (a frozen server accepts, then says nothing). */
  readonly greeting: number;
  /** Any later silence on the socket, e.g. a server frozen mid-conversation on a pooled connection. */
  readonly socket: number;
  /** The whole attempt: a server trickling its replies byte by byte never leaves the socket silent. */
  readonly send: number;
}

/**
 * 10 s of silence per phase: a mail server that is merely slow answers well within it. 20 s for
 * the whole attempt, so a frozen or stalling server costs the outbox sender (and a shutdown
 * waiting for its round) at most that, far below the two-minute outbox lease and the 30 s
 * default SHUTDOWN_TIMEOUT_SECONDS.
 */
export const SMTP_TIMEOUTS_MS: SmtpTimeouts = { connection: 10_000, greeting: 10_000, socket: 10_000, send: 20_000 };

export interface SmtpMailer extends Mailer {
  /**
   * Connects (and logs in, when the URL carries credentials) once, within `timeoutMs`: undefined
   * when the server answered, otherwise one line naming SMTP_URL and the cause, never the URL
   * itself (it may hold a password).
   */
  check(timeoutMs?: number): Promise<string | undefined>;
  /** Closes pooled connections and fails a send still in flight (its outbox row is retried). */
  close(): void;
}

interface SmtpError extends Error {
  readonly code?: unknown;
}

/** nodemailer wraps socket errors (`code` ESOCKET, the errno only in the message), so both are read. */
function smtpCause(error: unknown, timeoutMs: number): string {
  const code = (error as SmtpError | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const said = (errno: string) => code === errno || message.includes(errno);
  if (said("ECONNREFUSED")) return "connection refused (is the mail server running?)";
  if (said("ENOTFOUND") || said("EAI_AGAIN")) return "cannot resolve the host (DNS lookup failed)";
  if (said("ETIMEDOUT") || code === "TIMEOUT") return `no answer within ${timeoutMs} ms`;
  return message;
}

function serverOf(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.port === "" ? parsed.hostname : `${parsed.hostname}:${parsed.port}`;
  } catch {
    return "the mail server";
  }
}

/**
 * Sends through an SMTP server with a small connection pool. Timeouts are far below the
 * outbox lease, so a hanging server fails the attempt (and it is retried) instead of
 * letting a second sender pick up the same message.
 */
export function makeSmtpMailer(settings: SmtpMailerSettings): SmtpMailer {
  const timeouts = settings.timeoutsMs ?? SMTP_TIMEOUTS_MS;
  const transport = createTransport(
    {
      url: settings.url,
      pool: true,
      maxConnections: 3,
      connectionTimeout: timeouts.connection,
      greetingTimeout: timeouts.greeting,
      socketTimeout: timeouts.socket,
      // The pool re-queues a message whose connection closed mid-send (up to 5 times by default)
      // onto a new connection: a frozen server then held one send for a timeout per connection.
      // The outbox already retries with backoff (and records why), so one attempt is one connection.
      maxRequeues: 0,
    },
    { from: settings.from },
  );
  const closing = new AbortController();
  return {
    async send(mail) {
      const rendered = renderMail(mail, settings.product, settings.templates);
      await transport.sendMail({
        to: rendered.to,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        // Aborting closes the connection delivering it, so the server cannot accept it later.
        signal: AbortSignal.any([closing.signal, AbortSignal.timeout(timeouts.send)]),
      });
    },
    async check(timeoutMs = 5000) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error("timeout"), { code: "TIMEOUT" })), timeoutMs);
      });
      try {
        await Promise.race([transport.verify(), timeout]);
        return undefined;
      } catch (error) {
        return `SMTP_URL: cannot reach ${serverOf(settings.url)}: ${smtpCause(error, timeoutMs)}; mail stays queued and is retried`;
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => {
      closing.abort();
      transport.close();
    },
  };
}
