import type { OutgoingMail } from "@gatehouse/domain";
import { beforeEach, describe, expect, it } from "vitest";
import { FakeClock, FakeMailer, FakeMailQueue } from "../testing/index.js";
import { type MailDeliveryPolicy, makeDeliverDueMail, retryDelaySeconds } from "./deliver-due-mail.js";

const policy: MailDeliveryPolicy = {
  batchSize: 10,
  maxAttempts: 3,
  retryBaseSeconds: 30,
  retryMaxSeconds: 3600,
  leaseSeconds: 120,
};

const mail = (to: string): OutgoingMail => ({ to, template: "password-changed", data: { username: "ada" } });

describe("deliverDueMail", () => {
  let clock: FakeClock;
  let queue: FakeMailQueue;
  let mailer: FakeMailer;
  let deliver: ReturnType<typeof makeDeliverDueMail>;

  beforeEach(() => {
    clock = new FakeClock();
    queue = new FakeMailQueue(clock);
    mailer = new FakeMailer();
    deliver = makeDeliverDueMail({ queue, mailer, clock, policy });
  });

  it("sends due messages, marks them sent and drops their data", async () => {
    const row = queue.add(mail("ada@example.com"));
    expect(await deliver()).toEqual({ claimed: 1, sent: 1, retried: 0, failed: 0 });
    expect(mailer.sent).toEqual([mail("ada@example.com")]);
    expect(row).toMatchObject({ status: "sent", mail: null, attempts: 1 });
    expect(await deliver()).toEqual({ claimed: 0, sent: 0, retried: 0, failed: 0 });
  });

  it("retries with exponential backoff while the mail server is down, then delivers once it is back", async () => {
    const row = queue.add(mail("bob@example.com"));
    mailer.down = new Error("connect ECONNREFUSED 127.0.0.1:2525");
    expect(await deliver()).toMatchObject({ retried: 1 });
    expect(row.lastError).toBe("connect ECONNREFUSED 127.0.0.1:2525");
    expect(row.nextAttemptAt.getTime() - clock.now().getTime()).toBe(30_000);

    clock.advanceSeconds(29);
    expect(await deliver()).toMatchObject({ claimed: 0 });
    clock.advanceSeconds(1);
    expect(await deliver()).toMatchObject({ retried: 1 });
    expect(row.nextAttemptAt.getTime() - clock.now().getTime()).toBe(60_000);

    mailer.down = null;
    clock.advanceSeconds(60);
    expect(await deliver()).toMatchObject({ sent: 1 });
    expect(mailer.sent).toHaveLength(1);
    expect(row).toMatchObject({ status: "sent", attempts: 3, mail: null, lastError: null });
  });

  it("gives up after maxAttempts and drops the data", async () => {
    const row = queue.add(mail("carol@example.com"));
    mailer.down = new Error("550 mailbox unavailable");
    for (let attempt = 1; attempt <= policy.maxAttempts; attempt += 1) {
      await deliver();
      clock.advanceSeconds(policy.retryMaxSeconds);
    }
    expect(row).toMatchObject({ status: "failed", attempts: 3, mail: null, lastError: "550 mailbox unavailable" });
    expect(await deliver()).toMatchObject({ claimed: 0 });
  });

  it("a lease keeps a claimed message from a second sender until it runs out", async () => {
    queue.add(mail("dave@example.com"));
    const [claim] = await queue.claimDue(clock.now(), 10, new Date(clock.now().getTime() + 120_000));
    expect(claim?.attempt).toBe(1);
    expect(await deliver()).toMatchObject({ claimed: 0 });
    clock.advanceSeconds(120);
    expect(await deliver()).toMatchObject({ claimed: 1, sent: 1 });
    // The first sender's late outcome no longer applies: the row carries a later attempt.
    if (claim) await queue.scheduleRetry(claim, clock.now(), "late");
    expect(queue.rows[0]).toMatchObject({ status: "sent", lastError: null });
  });

  it("caps the backoff", () => {
    expect(retryDelaySeconds(1, policy)).toBe(30);
    expect(retryDelaySeconds(4, policy)).toBe(240);
    expect(retryDelaySeconds(20, policy)).toBe(3600);
  });
});
