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

/** A queued message handed to one sender; `attempt` counts this try (1 for the first). */
export interface ClaimedMail {
  readonly id: string;
  readonly attempt: number;
  readonly mail: OutgoingMail;
}

/**
 * The sender's side of the outbox. A claim is a lease: the claimed rows stay queued but are
 * not due again until the lease ends, so no transaction stays open while the mail server
 * talks, and a sender that dies mid-delivery only delays its rows. Every outcome is recorded
 * only when the row still carries the claim's `attempt`, so a sender whose lease ran out
 * cannot overwrite what a later claim decided.
 */
export interface MailQueue {
  /**
   * Atomically claims up to `limit` due messages (oldest due first) and counts the attempt;
   * concurrent senders never claim the same row. Each stays leased until `leaseUntil`.
   */
  claimDue(now: Date, limit: number, leaseUntil: Date): Promise<ClaimedMail[]>;
  /** Marks a claimed message sent and drops its template data, which may hold a code. */
  markSent(claim: ClaimedMail, at: Date): Promise<void>;
  /** Records a failed attempt; the message is due again at `retryAt`. */
  scheduleRetry(claim: ClaimedMail, retryAt: Date, error: string): Promise<void>;
  /** Gives up on a claimed message: failed for good, template data dropped. */
  giveUp(claim: ClaimedMail, at: Date, error: string): Promise<void>;
  /**
   * Gives up on up to `batchSize` messages still queued that were created before `cutoff`
   * (their codes have expired; delivering them now would only confuse). Returns how many.
   */
  giveUpQueuedBefore(cutoff: Date, batchSize: number): Promise<number>;
}
