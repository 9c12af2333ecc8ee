import { tmpdir } from "node:os";
import { rowsOf } from "@gatehouse/infrastructure";
import { testDatabaseKinds } from "@gatehouse/infrastructure/testing";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { daysAgo, runCaptured, suiteDatabase, summaryOf } from "./support.js";

describe.each(testDatabaseKinds())("cleanup: chat retention (%s)", (kind) => {
  const suite = suiteDatabase(kind);
  const run = (env: Record<string, string> = {}) =>
    runCaptured(["cleanup"], env, { cwd: tmpdir(), database: suite.database.handle });

  async function message(id: number, ageDays: number): Promise<void> {
    await suite.db.execute(sql`INSERT INTO chat_messages (room_id, id, sender_id, sender_name, content, created_at)
      VALUES ('general', ${id}, '00000000-0000-0000-0000-000000000000', 'System', ${`m${id}`}, ${daysAgo(ageDays).toISOString()})`);
  }
  const remaining = async () =>
    rowsOf<{ content: string }>(
      await suite.db.execute(sql`SELECT content FROM chat_messages WHERE room_id = 'general' ORDER BY id`),
    ).map((row) => row.content);

  it("keeps every message by default and deletes those older than CHAT_RETENTION_DAYS when set", async () => {
    await suite.db.execute(sql`DELETE FROM chat_messages`);
    await message(1, 400);
    await message(2, 40);
    await message(3, 1);
    expect(summaryOf(await run())).toMatchObject({ chat_messages_deleted: 0 });
    expect(await remaining()).toEqual(["m1", "m2", "m3"]);
    expect(summaryOf(await run({ CHAT_RETENTION_DAYS: "30", CLEANUP_BATCH_SIZE: "1" }))).toMatchObject({
      chat_messages_deleted: 2,
    });
    expect(await remaining()).toEqual(["m3"]);
  });
});
