import type { ClaimedMail, Clock, Mailer, MailQueue, OutgoingMail } from "@gatehouse/domain";

/** A queued message as the fake keeps it, with everything the sender's outcomes change. */
export interface FakeQueuedMail {
  readonly id: string;
  mail: OutgoingMail | null;
  status: "pending" | "sent" | "failed";
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  readonly createdAt: Date;
}

/** The outbox's sender side in memory, with the lease and attempt rules of the real one. */
export class FakeMailQueue implements MailQueue {
  readonly rows: FakeQueuedMail[] = [];
  private nextId = 1;

  constructor(private readonly clock: Clock) {}

  add(mail: OutgoingMail): FakeQueuedMail {
    const now = this.clock.now();
    const row: FakeQueuedMail = {
      id: `mail-${this.nextId++}`,
      mail,
      status: "pending",
      attempts: 0,
      nextAttemptAt: now,
      lastError: null,
      createdAt: now,
    };
    this.rows.push(row);
    return row;
  }

  async claimDue(now: Date, limit: number, leaseUntil: Date): Promise<ClaimedMail[]> {
    const due = this.rows
      .filter((row) => row.status === "pending" && row.nextAttemptAt <= now && row.mail !== null)
      .sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime())
      .slice(0, limit);
    return due.map((row) => {
      row.attempts += 1;
      row.nextAttemptAt = leaseUntil;
      return { id: row.id, attempt: row.attempts, mail: row.mail as OutgoingMail };
    });
  }

  private claimed(claim: ClaimedMail): FakeQueuedMail | undefined {
    return this.rows.find((row) => row.id === claim.id && row.attempts === claim.attempt && row.status === "pending");
  }

  async markSent(claim: ClaimedMail): Promise<void> {
    const row = this.claimed(claim);
    if (row === undefined) return;
    row.status = "sent";
    row.mail = null;
    row.lastError = null;
  }

  async scheduleRetry(claim: ClaimedMail, retryAt: Date, error: string): Promise<void> {
    const row = this.claimed(claim);
    if (row === undefined) return;
    row.nextAttemptAt = retryAt;
    row.lastError = error;
  }

  async giveUp(claim: ClaimedMail, _at: Date, error: string): Promise<void> {
    const row = this.claimed(claim);
    if (row === undefined) return;
    row.status = "failed";
    row.mail = null;
    row.lastError = error;
  }

  async giveUpQueuedBefore(cutoff: Date, batchSize: number): Promise<number> {
    const stale = this.rows.filter((row) => row.status === "pending" && row.createdAt < cutoff).slice(0, batchSize);
    for (const row of stale) {
      row.status = "failed";
      row.mail = null;
      row.lastError = "gave up: queued too long";
    }
    return stale.length;
  }
}

/** A mailer that records what it sent and fails while `down` is set. */
export class FakeMailer implements Mailer {
  readonly sent: OutgoingMail[] = [];
  down: Error | null = null;

  async send(mail: OutgoingMail): Promise<void> {
    if (this.down) throw this.down;
    this.sent.push(mail);
  }
}
