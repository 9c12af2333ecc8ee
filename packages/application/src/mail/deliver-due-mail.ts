import type { ClaimedMail, Clock, Mailer, MailQueue } from "@gatehouse/domain";

/** How the outbox sender works through the queue. */
export interface MailDeliveryPolicy {
  /** Messages claimed (and sent concurrently) per round. */
  readonly batchSize: number;
  /** Attempts before a message is given up for good. */
  readonly maxAttempts: number;
  /** Delay before the first retry; it doubles with each further attempt... */
  readonly retryBaseSeconds: number;
  /** ...up to this ceiling. */
  readonly retryMaxSeconds: number;
  /**
   * How long a claim keeps its messages from other senders: longer than one delivery can
   * take (the SMTP adapter times out well before), short enough that a crashed sender's
   * messages go out again soon.
   */
  readonly leaseSeconds: number;
}

export interface MailDeliverySummary {
  readonly sent: number;
  readonly retried: number;
  readonly failed: number;
}

export interface DeliverDueMailDeps {
  readonly queue: Pick<MailQueue, "claimDue" | "markSent" | "scheduleRetry" | "giveUp">;
  readonly mailer: Mailer;
  readonly clock: Clock;
  readonly policy: MailDeliveryPolicy;
}

/** Exponential backoff: base · 2^(attempt−1), capped. */
export function retryDelaySeconds(attempt: number, policy: MailDeliveryPolicy): number {
  return Math.min(policy.retryMaxSeconds, policy.retryBaseSeconds * 2 ** Math.max(0, attempt - 1));
}

const MAX_ERROR_LENGTH = 500;

/** The mail server's complaint, kept short; it never contains the message itself. */
function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.slice(0, MAX_ERROR_LENGTH);
}

/**
 * One round of the outbox sender: claims the due messages, sends them, and records each
 * outcome (sent; retry later with backoff; or given up after `maxAttempts`). A failing mail
 * server only delays messages: nothing is lost and no request waits for it.
 */
export function makeDeliverDueMail(deps: DeliverDueMailDeps) {
  const { queue, policy } = deps;

  async function deliver(claim: ClaimedMail): Promise<keyof MailDeliverySummary> {
    try {
      await deps.mailer.send(claim.mail);
    } catch (error) {
      const reason = describeFailure(error);
      const now = deps.clock.now();
      if (claim.attempt >= policy.maxAttempts) {
        await queue.giveUp(claim, now, reason);
        return "failed";
      }
      const retryAt = new Date(now.getTime() + retryDelaySeconds(claim.attempt, policy) * 1000);
      await queue.scheduleRetry(claim, retryAt, reason);
      return "retried";
    }
    await queue.markSent(claim, deps.clock.now());
    return "sent";
  }

  return async function deliverDueMail(): Promise<MailDeliverySummary & { claimed: number }> {
    const now = deps.clock.now();
    const claims = await queue.claimDue(now, policy.batchSize, new Date(now.getTime() + policy.leaseSeconds * 1000));
    const summary = { claimed: claims.length, sent: 0, retried: 0, failed: 0 };
    for (const outcome of await Promise.all(claims.map(deliver))) summary[outcome] += 1;
    return summary;
  };
}

export type DeliverDueMail = ReturnType<typeof makeDeliverDueMail>;
