import type { OutgoingMail } from "../mail/mail-message.js";

/**
 * The outbox: mail is queued in the same transaction as the change that causes it, and a
 * separate sender delivers it with retries. A request therefore never fails, and a mail is
 * never lost, because the mail server is down.
 */
export interface MailOutbox {
  /** Queues one message for delivery once the surrounding transaction commits. */
  enqueue(mail: OutgoingMail): Promise<void>;
}
