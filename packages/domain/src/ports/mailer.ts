import type { OutgoingMail } from "../mail/mail-message.js";

/** Hands one message to the mail system (an SMTP server, or the development mailbox). */
export interface Mailer {
  /**
   * Renders and sends `mail`. Resolves once the mail system accepted it; rejects when it did
   * not (connection refused, rejected recipient...), leaving the retry to the caller.
   */
  send(mail: OutgoingMail): Promise<void>;
}
