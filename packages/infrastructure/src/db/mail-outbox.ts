import type { ClaimedMail, MailOutbox, MailQueue, OutgoingMail } from "@gatehouse/domain";
import { and, asc, eq, inArray, lt, lte, sql } from "drizzle-orm";
import type { Database } from "./database.js";
import { mailOutbox } from "./schema.js";

export function makeMailOutbox(db: Database): MailOutbox {
  return {
    async enqueue(mail) {
      await db.insert(mailOutbox).values({ recipient: mail.to, template: mail.template, payload: mail.data });
    },
  };
}

type OutboxRow = Pick<typeof mailOutbox.$inferSelect, "id" | "attempts" | "recipient" | "template" | "payload">;

// The row was written by `enqueue` from an OutgoingMail, so its three parts fit back together.
function toClaim(row: OutboxRow): ClaimedMail {
  const mail = { to: row.recipient, template: row.template, data: row.payload } as OutgoingMail;
  return { id: row.id, attempt: row.attempts, mail };
}

/** The row as this claim left it: still queued, and not claimed again since. */
function stillClaimed(claim: ClaimedMail) {
  return and(eq(mailOutbox.id, claim.id), eq(mailOutbox.attempts, claim.attempt), eq(mailOutbox.status, "pending"));
}

/** The sender's side of the outbox (see MailQueue): leases via `next_attempt_at`. */
export function makeMailQueue(db: Database): MailQueue {
  return {
    async claimDue(now, limit, leaseUntil) {
      // SKIP LOCKED: a concurrent claimer passes over the rows this one is taking instead of
      // waiting for them, and the lease (next_attempt_at in the future) keeps them from
      // being due again once this statement commits.
      const due = db
        .select({ id: mailOutbox.id })
        .from(mailOutbox)
        .where(and(eq(mailOutbox.status, "pending"), lte(mailOutbox.nextAttemptAt, now)))
        .orderBy(asc(mailOutbox.nextAttemptAt))
        .limit(limit)
        .for("update", { skipLocked: true });
      const rows = await db
        .update(mailOutbox)
        .set({ attempts: sql`${mailOutbox.attempts} + 1`, nextAttemptAt: leaseUntil })
        .where(inArray(mailOutbox.id, due))
        .returning({
          id: mailOutbox.id,
          attempts: mailOutbox.attempts,
          recipient: mailOutbox.recipient,
          template: mailOutbox.template,
          payload: mailOutbox.payload,
        });
      return rows.map(toClaim);
    },

    async markSent(claim, at) {
      await db
        .update(mailOutbox)
        .set({ status: "sent", sentAt: at, payload: null, lastError: null })
        .where(stillClaimed(claim));
    },

    async scheduleRetry(claim, retryAt, error) {
      await db.update(mailOutbox).set({ nextAttemptAt: retryAt, lastError: error }).where(stillClaimed(claim));
    },

    async giveUp(claim, _at, error) {
      await db.update(mailOutbox).set({ status: "failed", payload: null, lastError: error }).where(stillClaimed(claim));
    },

    async giveUpQueuedBefore(cutoff, batchSize) {
      const stale = db
        .select({ id: mailOutbox.id })
        .from(mailOutbox)
        .where(and(eq(mailOutbox.status, "pending"), lt(mailOutbox.createdAt, cutoff)))
        .limit(batchSize)
        .for("update", { skipLocked: true });
      const rows = await db
        .update(mailOutbox)
        .set({ status: "failed", payload: null, lastError: "gave up: still queued past MAIL_GIVE_UP_AFTER_HOURS" })
        .where(inArray(mailOutbox.id, stale))
        .returning({ id: mailOutbox.id });
      return rows.length;
    },
  };
}
