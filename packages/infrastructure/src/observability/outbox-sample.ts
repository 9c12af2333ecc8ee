import { count } from "drizzle-orm";
import type { Database } from "../db/database.js";
import { mailOutbox } from "../db/schema.js";

/** Outbox rows per status, for the sampled `gatehouse_mail_outbox{state}` gauge. */
export async function countOutboxByState(db: Database): Promise<Record<string, number>> {
  const rows = await db.select({ state: mailOutbox.status, rows: count() }).from(mailOutbox).groupBy(mailOutbox.status);
  return Object.fromEntries(rows.map((row) => [row.state, row.rows]));
}
