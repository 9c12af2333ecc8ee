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
}

export interface SmtpMailer extends Mailer {
  /** Closes pooled connections; call on shutdown after the sender stopped. */
  close(): void;
}

/**
 * Sends through an SMTP server with a small connection pool. Timeouts are far below the
 * outbox lease, so a hanging server fails the attempt (and it is retried) instead of
 * letting a second sender pick up the same message.
 */
export function makeSmtpMailer(settings: SmtpMailerSettings): SmtpMailer {
  const transport = createTransport(
    {
      url: settings.url,
      pool: true,
      maxConnections: 3,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    },
    { from: settings.from },
  );
  return {
    async send(mail) {
      const rendered = renderMail(mail, settings.product, settings.templates);
      await transport.sendMail({
        to: rendered.to,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
      });
    },
    close: () => transport.close(),
  };
}
