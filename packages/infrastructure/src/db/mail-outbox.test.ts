import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from "../testing/test-database.js";
import { rowsOf } from "./database.js";
import { makeUnitOfWork, repositoriesOn } from "./unit-of-work.js";

describe.each(testDatabaseKinds())("MailOutbox contract on %s", (kind) => {
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
