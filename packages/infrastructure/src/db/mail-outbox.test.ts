import type { MailQueue } from "@gatehouse/domain";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from "../testing/test-database.js";
import { rowsOf } from "./database.js";
import { makeMailQueue } from "./mail-outbox.js";
import { makeUnitOfWork, repositoriesOn } from "./unit-of-work.js";

describe.each(testDatabaseKinds({ pgbouncer: true }))("MailOutbox contract on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database.drop();
  });

  async function queuedFor(recipient: string) {
    return rowsOf<Record<string, unknown>>(
      await database.handle.db.execute(sql`SELECT * FROM mail_outbox WHERE recipient = ${recipient}`),
    );
  }

  it("queues a message as pending and due now, with its template data", async () => {
    await repositoriesOn(database.handle.db).outbox.enqueue({
      to: "ada@example.com",
      template: "password-changed",
      data: { username: "ada" },
    });
    const rows = await queuedFor("ada@example.com");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      template: "password-changed",
      payload: { username: "ada" },
      status: "pending",
      attempts: 0,
    });
  });

  it("queues nothing when the surrounding transaction rolls back", async () => {
    const failure = new Error("the change failed after the mail was queued");
    await expect(
      makeUnitOfWork(database.handle.db).run(async (repos) => {
        await repos.outbox.enqueue({ to: "bob@example.com", template: "password-changed", data: { username: "bob" } });
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await queuedFor("bob@example.com")).toEqual([]);
  });
});

describe.each(testDatabaseKinds({ pgbouncer: true }))("MailQueue on %s", (kind) => {
  let database: TestDatabase;
  let queue: MailQueue;
  const t0 = new Date("2030-01-01T00:00:00Z");
  const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
  beforeAll(async () => {
    database = await createTestDatabase(kind, { maxConnections: 10 });
    queue = makeMailQueue(database.handle.db);
  });
  afterAll(async () => {
    await database.drop();
  });

  async function enqueueDue(to: string, dueAt: Date): Promise<void> {
    await repositoriesOn(database.handle.db).outbox.enqueue({
      to,
      template: "password-changed",
      data: { username: to },
    });
    await database.handle.db.execute(
      sql`UPDATE mail_outbox SET next_attempt_at = ${dueAt.toISOString()} WHERE recipient = ${to}`,
    );
  }

  async function rowOf(to: string) {
    const [row] = rowsOf<Record<string, unknown>>(
      await database.handle.db.execute(sql`SELECT * FROM mail_outbox WHERE recipient = ${to}`),
    );
    return row;
  }

  beforeEach(async () => {
    await database.handle.db.execute(sql`DELETE FROM mail_outbox`);
  });

  it("claims due mail once: concurrent claimers get disjoint rows, and a lease hides them", async () => {
    for (let i = 0; i < 12; i += 1) await enqueueDue(`claim${i}@example.com`, at(-i));
    await enqueueDue("later@example.com", at(200));
    const claims = await Promise.all([1, 2, 3, 4].map(() => queue.claimDue(t0, 5, at(120))));
    const ids = claims.flat().map((claim) => claim.id);
    expect(ids).toHaveLength(12);
    expect(new Set(ids).size).toBe(12);
    expect(claims.flat().every((claim) => claim.attempt === 1)).toBe(true);
    expect(claims.flat().map((claim) => claim.mail.to)).not.toContain("later@example.com");
    expect(await queue.claimDue(at(119), 50, at(240))).toEqual([]);
    // The lease ran out (a sender died mid-delivery): the rows are due again, as attempt 2.
    const again = await queue.claimDue(at(120), 50, at(240));
    expect(again).toHaveLength(12);
    expect(again.map((claim) => claim.mail.to)).not.toContain("later@example.com");
    expect(again.find((claim) => claim.mail.to === "claim0@example.com")?.attempt).toBe(2);
  });

  it("records an outcome only for the latest claim; sent and failed rows lose their data", async () => {
    await enqueueDue("outcome@example.com", t0);
    const [first] = await queue.claimDue(t0, 1, at(120));
    const [second] = await queue.claimDue(at(120), 1, at(240));
    if (first === undefined || second === undefined) throw new Error("expected two claims");
    expect(first.mail).toEqual({
      to: "outcome@example.com",
      template: "password-changed",
      data: { username: "outcome@example.com" },
    });
    await queue.markSent(first, at(130)); // stale: ignored
    expect(await rowOf("outcome@example.com")).toMatchObject({ status: "pending", attempts: 2 });
    await queue.scheduleRetry(second, at(300), "421 try later");
    expect(await rowOf("outcome@example.com")).toMatchObject({ status: "pending", last_error: "421 try later" });
    const [third] = await queue.claimDue(at(300), 1, at(420));
    if (third === undefined) throw new Error("expected a third claim");
    await queue.giveUp(third, at(310), "550 no such user");
    expect(await rowOf("outcome@example.com")).toMatchObject({ status: "failed", payload: null, attempts: 3 });
    await enqueueDue("sent@example.com", t0);
    const [claim] = await queue.claimDue(t0, 1, at(120));
    if (claim === undefined) throw new Error("expected a claim");
    await queue.markSent(claim, at(1));
    expect(await rowOf("sent@example.com")).toMatchObject({ status: "sent", payload: null, last_error: null });
  });

  it("gives up on mail queued before a cutoff, in batches", async () => {
    for (const to of ["old1@example.com", "old2@example.com", "old3@example.com"]) await enqueueDue(to, t0);
    await database.handle.db.execute(sql`UPDATE mail_outbox SET created_at = now() - interval '2 days'`);
    await enqueueDue("fresh@example.com", t0);
    const cutoff = new Date(Date.now() - 86_400_000);
    expect(await queue.giveUpQueuedBefore(cutoff, 2)).toBe(2);
    expect(await queue.giveUpQueuedBefore(cutoff, 2)).toBe(1);
    expect(await queue.giveUpQueuedBefore(cutoff, 2)).toBe(0);
    expect(await rowOf("fresh@example.com")).toMatchObject({ status: "pending" });
    expect(await rowOf("old1@example.com")).toMatchObject({ status: "failed", payload: null });
  });
});
