import type { OutgoingMail } from "@gatehouse/domain";
import { makeUnitOfWork } from "@gatehouse/infrastructure";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { get } from "./support/http.js";
import { TestSmtpServer } from "./support/smtp-server.js";
import { sql, startTestServer, type TestServer } from "./support/test-server.js";

const FAST_SENDER = { MAIL_POLL_INTERVAL_MS: "20" };

interface OutboxRow {
  status: string;
  attempts: number;
  payload: unknown;
  last_error: string | null;
  sent_at: Date | string | null;
}

function resetMail(to: string, username = "ada"): OutgoingMail {
  return {
    to,
    template: "password-reset",
    data: {
      username,
      code: "482913",
      link: "https://id.example.com/reset?token=t0k3n&x=1",
      expiresAt: "2030-01-01T00:00:00Z",
    },
  };
}

/** Queues mail the way a use case does: inside a unit of work on the server's database. */
async function enqueue(t: TestServer, mail: OutgoingMail): Promise<void> {
  await makeUnitOfWork(t.database.handle.db).run((tx) => tx.outbox.enqueue(mail));
}

async function outboxRow(t: TestServer, to: string): Promise<OutboxRow | undefined> {
  const [row] = await t.query<OutboxRow>(sql`SELECT * FROM mail_outbox WHERE recipient = ${to}`);
  return row;
}

/** Polls until `check` holds; only a bound so a broken test fails instead of hanging. */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("mail delivery through a real SMTP server", () => {
  let smtp: TestSmtpServer;
  let t: TestServer;
  beforeAll(async () => {
    smtp = await TestSmtpServer.start();
    t = await startTestServer({ ...FAST_SENDER, SMTP_URL: smtp.url, MAIL_FROM: "Gatehouse <auth@example.com>" });
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  it("delivers a queued mail with text and HTML bodies, then marks it sent and drops its data", async () => {
    await enqueue(t, resetMail("ada@example.com", "<ada & co>"));
    const mail = await smtp.waitForMail("ada@example.com");
    expect(mail.from).toBe("auth@example.com");
    expect(mail.subject).toContain("Reset your");
    expect(mail.text).toContain("482913");
    expect(mail.text).toContain("https://id.example.com/reset?token=t0k3n&x=1");
    expect(mail.html).toContain("482913");
    // User data is escaped in HTML: a username cannot inject markup.
    expect(mail.html).toContain("Hello &lt;ada &amp; co&gt;,");
    expect(mail.html).not.toContain("<ada & co>");
    const row = await eventually(
      () => outboxRow(t, "ada@example.com"),
      (r) => r?.status === "sent",
    );
    expect(row).toMatchObject({ status: "sent", attempts: 1, payload: null, last_error: null });
    expect(row?.sent_at).not.toBeNull();
  });

  it("keeps a mail queued while the SMTP server is down and delivers it once it is back", async () => {
    await smtp.stop();
    await enqueue(t, resetMail("bob@example.com", "bob"));

    // The attempt fails (connection refused); the mail stays queued with the reason.
    const failed = await eventually(
      () => outboxRow(t, "bob@example.com"),
      (r) => r !== undefined && r.attempts >= 1 && r.last_error !== null,
    );
    expect(failed).toMatchObject({ status: "pending" });
    expect(failed?.payload).not.toBeNull();
    expect(smtp.mailsTo("bob@example.com")).toEqual([]);

    await smtp.resume();
    t.clock.advance(3600); // past any backoff
    const mail = await smtp.waitForMail("bob@example.com");
    expect(mail.text).toContain("482913");
    await eventually(
      () => outboxRow(t, "bob@example.com"),
      (r) => r?.status === "sent" && r.payload === null,
    );
    expect(smtp.mailsTo("bob@example.com")).toHaveLength(1);
  });
});

describe("development mailbox (no SMTP_URL)", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer(FAST_SENDER);
  });
  afterAll(async () => {
    await t.close();
  });

  it("keeps mail, code included, readable at GET /dev/mailbox, newest first and filterable", async () => {
    await enqueue(t, resetMail("carol@example.com", "carol"));
    await enqueue(t, { to: "dave@example.com", template: "password-changed", data: { username: "dave" } });
    const all = await eventually(
      () => get(t, "/dev/mailbox"),
      (r) => (r.body.data as { mails: unknown[] }).mails.length === 2,
    );
    expect(all.status).toBe(200);
    const carol = await get(t, "/dev/mailbox?to=CAROL@example.com");
    const mails = (carol.body.data as { mails: Array<Record<string, string>> }).mails;
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ to: "carol@example.com", template: "password-reset" });
    expect(mails[0]?.text).toContain("482913");
    expect(mails[0]?.html).toContain("482913");
    await eventually(
      () => outboxRow(t, "carol@example.com"),
      (r) => r?.status === "sent" && r.payload === null,
    );
  });
});

describe("production without SMTP_URL", () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer({ ...FAST_SENDER, NODE_ENV: "production" });
  });
  afterAll(async () => {
    await t.close();
  });

  it("serves no development mailbox and keeps mail queued instead of dropping it", async () => {
    expect((await get(t, "/dev/mailbox")).status).toBe(404);
    expect(t.server.mailSender).toBeUndefined();
    await enqueue(t, resetMail("erin@example.com", "erin"));
    expect(await outboxRow(t, "erin@example.com")).toMatchObject({ status: "pending", attempts: 0 });
  });
});
