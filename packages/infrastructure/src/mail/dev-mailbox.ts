import type { Mailer, MailTemplateName } from "@gatehouse/domain";
import type { Logger } from "pino";
import type { MailTemplateOverrides } from "./template-overrides.js";
import { type RenderedMail, renderMail } from "./templates.js";

/** A message kept by the development mailbox. */
export interface DevMail extends RenderedMail {
  readonly template: MailTemplateName;
  readonly deliveredAt: Date;
}

/**
 * The mail sink used when no SMTP server is configured: the last `capacity` messages, in
 * memory, newest first, readable at GET /dev/mailbox so the quick start can be finished by
 * hand. Never used in production.
 */
export class DevMailbox {
  private readonly mails: DevMail[] = [];

  constructor(private readonly capacity = 100) {}

  add(mail: DevMail): void {
    this.mails.unshift(mail);
    if (this.mails.length > this.capacity) this.mails.length = this.capacity;
  }

  /** Newest first; `to` filters by recipient (case-insensitively). */
  list(to?: string): DevMail[] {
    const wanted = to?.toLowerCase();
    return wanted === undefined ? [...this.mails] : this.mails.filter((mail) => mail.to.toLowerCase() === wanted);
  }
}

/**
 * Development delivery: the message goes to the mailbox and one log line says so. The line
 * names recipient and subject only, never the body: bodies hold one-time codes, and logs
 * travel further than a local mailbox.
 */
export function makeDevMailer(
  mailbox: DevMailbox,
  logger: Logger,
  product: string,
  now: () => Date,
  templates?: MailTemplateOverrides,
): Mailer {
  return {
    async send(mail) {
      const rendered = renderMail(mail, product, templates);
      mailbox.add({ ...rendered, template: mail.template, deliveredAt: now() });
      logger.info(
        { to: rendered.to, template: mail.template, subject: rendered.subject },
        "mail kept in the development mailbox (GET /dev/mailbox); set SMTP_URL to send real mail",
      );
    },
  };
}
