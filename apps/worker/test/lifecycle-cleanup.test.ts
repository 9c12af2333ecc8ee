import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { type Database, rowsOf } from "@gatehouse/infrastructure";
import { testDatabaseKinds } from "@gatehouse/infrastructure/testing";
import { sql } from "drizzle-orm";
import { SMTPServer } from "smtp-server";
import { describe, expect, it } from "vitest";
import { runWorker } from "../src/run-worker.js";
import { captureIo, daysAgo, insertToken, insertUser, runCaptured, suiteDatabase, summaryOf } from "./support.js";

/** A real SMTP server on a loopback port that records each message's recipients. */
async function startSmtp(): Promise<{ url: string; recipients: string[]; close(): Promise<void> }> {
  const recipients: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    closeTimeout: 50,
    onData(stream, session, callback) {
      stream.resume();
      stream.on("end", () => {
        recipients.push(...session.envelope.rcptTo.map((rcpt) => rcpt.address));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    recipients,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function query<T>(db: Database, statement: ReturnType<typeof sql>): Promise<T[]> {
  return rowsOf<T>(await db.execute(statement));
}

describe.each(testDatabaseKinds())("cleanup: outbox and purge tasks (%s)", (kind) => {
  const suite = suiteDatabase(kind);

  const run = (env: Record<string, string> = {}, argv = ["cleanup"]) =>
    runCaptured(argv, env, { cwd: tmpdir(), database: suite.database.handle });

  async function deletedUser(name: string, deletedDaysAgo: number): Promise<string> {
    const id = await insertUser(suite.db, name);
    await suite.db.execute(sql`UPDATE users SET full_name = 'Real Name', phone_number = '+15550100',
      deleted_at = ${daysAgo(deletedDaysAgo).toISOString()} WHERE id = ${id}`);
    return id;
  }

  it("purges users deleted longer ago than USER_PURGE_AFTER_DAYS: personal data gone, audit kept, once", async () => {
    const old = await deletedUser("old", 40);
    const recent = await deletedUser("recent", 10);
    const live = await insertUser(suite.db, "live");
    await insertToken(suite.db, old, { expiresAt: daysAgo(-5) });
    await suite.db.execute(
      sql`INSERT INTO user_roles (user_id, role_id) SELECT ${old}, id FROM roles WHERE name = 'user'`,
    );
    await suite.db.execute(sql`INSERT INTO audit_logs (action, resource_type, user_id, resource_id, ip_address)
      VALUES ('user.delete', 'user', ${old}, ${old}, '203.0.113.9')`);

    const first = await run();
    expect(first.code).toBe(0);
    expect(summaryOf(first)).toMatchObject({ job: "cleanup", skipped: false, users_purged: 1, mail_given_up: 0 });

    const [purged] = await query<Record<string, unknown>>(suite.db, sql`SELECT * FROM users WHERE id = ${old}`);
    expect(purged).toMatchObject({
      email: `purged+${old}@invalid`,
      username: `purged-${old}`,
      password_hash: "!purged",
      full_name: null,
      phone_number: null,
    });
    expect(purged?.purged_at).not.toBeNull();
    expect(await query(suite.db, sql`SELECT id FROM refresh_tokens WHERE user_id = ${old}`)).toEqual([]);
    expect(await query(suite.db, sql`SELECT role_id FROM user_roles WHERE user_id = ${old}`)).toEqual([]);
    const audit = await query<{ action: string }>(
      suite.db,
      sql`SELECT action FROM audit_logs WHERE resource_id = ${old} ORDER BY action`,
    );
    expect(audit.map((row) => row.action)).toEqual(["user.delete", "user.purged"]);
    const untouched = await query<{ id: string; full_name: string | null }>(
      suite.db,
      sql`SELECT id, full_name FROM users WHERE id IN (${recent}, ${live}) ORDER BY username`,
    );
    expect(untouched.map((row) => row.full_name)).toEqual([null, "Real Name"]); // live, recent

    expect(summaryOf(await run())).toMatchObject({ users_purged: 0 });
  });

  it("never purges with USER_PURGE_AFTER_DAYS=0", async () => {
    const ancient = await deletedUser("ancient", 4000);
    expect(summaryOf(await run({ USER_PURGE_AFTER_DAYS: "0" }))).toMatchObject({ users_purged: 0 });
    const [row] = await query<{ purged_at: unknown }>(suite.db, sql`SELECT purged_at FROM users WHERE id = ${ancient}`);
    expect(row?.purged_at).toBeNull();
  });

  it("gives up on mail queued too long, and retries due mail through SMTP when SMTP_URL is set", async () => {
    await suite.db.execute(sql`INSERT INTO mail_outbox (recipient, template, payload, created_at)
      VALUES ('stale@example.com', 'password-changed', '{"username":"stale"}', now() - interval '2 days'),
             ('due@example.com', 'password-changed', '{"username":"due"}', now())`);
    const withoutSmtp = await run();
    expect(summaryOf(withoutSmtp)).toMatchObject({ mail_given_up: 1, mail_sent: 0 });
    const statuses = async () =>
      (
        await query<{ recipient: string; status: string; payload: unknown }>(
          suite.db,
          sql`SELECT recipient, status, payload FROM mail_outbox ORDER BY recipient`,
        )
      ).map((row) => [row.recipient, row.status, row.payload === null]);
    expect(await statuses()).toEqual([
      ["due@example.com", "pending", false],
      ["stale@example.com", "failed", true],
    ]);

    const smtp = await startSmtp();
    try {
      expect(summaryOf(await run({ SMTP_URL: smtp.url }))).toMatchObject({ mail_given_up: 0, mail_sent: 1 });
      expect(smtp.recipients).toEqual(["due@example.com"]);
      expect(await statuses()).toEqual([
        ["due@example.com", "sent", true],
        ["stale@example.com", "failed", true],
      ]);
    } finally {
      await smtp.close();
    }
  });

  it("schedule runs cleanup on WORKER_SCHEDULE until stopped, one summary line per run", async () => {
    const stop = new AbortController();
    const captured = captureIo();
    const running = runWorker(["schedule"], { WORKER_SCHEDULE: "* * * * * *" }, captured.io, {
      cwd: tmpdir(),
      database: suite.database.handle,
      signal: stop.signal,
    });
    while (captured.stdout.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    stop.abort();
    expect(await running).toBe(0);
    expect(JSON.parse(captured.stdout[0] ?? "")).toMatchObject({ job: "cleanup", skipped: false, users_purged: 0 });
    expect(captured.stderr[0]).toMatch(/cleanup scheduled at "\* \* \* \* \* \*"; next run /);
  });

  it("schedule refuses an invalid WORKER_SCHEDULE", async () => {
    const result = await run({ WORKER_SCHEDULE: "every day" }, ["schedule"]);
    expect(result.code).toBe(1);
    expect(result.stderr[0]).toMatch(/invalid configuration: WORKER_SCHEDULE is not a valid cron pattern/);
  });
});
