import { readFileSync } from "node:fs";
import { join } from "node:path";
import { normalizeEmail } from "@gatehouse/domain";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from "../testing/test-database.js";
import { rowsOf } from "./database.js";
import { DEFAULT_MIGRATIONS_DIR } from "./migrate.js";

const MIGRATION = readFileSync(join(DEFAULT_MIGRATIONS_DIR, "0009_hygiene_email_normalisation.sql"), "utf8");

// Rows stored before the normalization rule (look-alike forms the old trim-and-lower kept) are
// written straight into the table, then the migration's statement runs again (it is idempotent).
describe.each(testDatabaseKinds())("the email normalization migration on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database.drop();
  });

  async function insert(email: string, deleted = false): Promise<string> {
    const username = `u_${Math.random().toString(36).slice(2, 10)}`;
    const [row] = rowsOf<{ id: string }>(
      await database.handle.db.execute(
        sql`INSERT INTO users (username, email, password_hash, deleted_at)
            VALUES (${username}, ${email}, 'x', ${deleted ? new Date().toISOString() : null}::timestamptz) RETURNING id`,
      ),
    );
    if (row === undefined) throw new Error("insert failed");
    return row.id;
  }
  async function emailOf(id: string): Promise<string | undefined> {
    const [row] = rowsOf<{ email: string }>(
      await database.handle.db.execute(sql`SELECT email FROM users WHERE id = ${id}`),
    );
    return row?.email;
  }

  it("look-alike addresses stored before the rule take their normalized form, unless that would make a duplicate", async () => {
    const fullwidth = await insert("ｆｕｌｌ@example.com");
    const zeroWidth = await insert("zero\u200bwidth@example.com");
    const softHyphen = await insert("soft\u00adhyphen@example.com");
    const trailingDot = await insert("dot@example.com.");
    const ligature = await insert("ﬁnn@example.com");
    const plain = await insert("plain@example.com");
    const unicodeDomain = await insert("ada@bücher.de");
    // A look-alike of a live account: moving it would break uniqueness, so it stays.
    const taken = await insert("taken@example.com");
    const lookAlike = await insert("ｔａｋｅｎ@example.com");
    const deletedLookAlike = await insert("ｇｏｎｅ@example.com", true);

    await database.handle.db.execute(sql.raw(MIGRATION));

    for (const id of [fullwidth, zeroWidth, softHyphen, trailingDot, ligature, plain, deletedLookAlike]) {
      const email = await emailOf(id);
      expect(email).toBe(normalizeEmail(email ?? ""));
    }
    expect(await emailOf(fullwidth)).toBe("full@example.com");
    expect(await emailOf(zeroWidth)).toBe("zerowidth@example.com");
    expect(await emailOf(trailingDot)).toBe("dot@example.com");
    expect(await emailOf(ligature)).toBe("finn@example.com");
    expect(await emailOf(unicodeDomain)).toBe("ada@bücher.de");
    expect(await emailOf(taken)).toBe("taken@example.com");
    expect(await emailOf(lookAlike)).toBe("ｔａｋｅｎ@example.com");
    expect(await emailOf(deletedLookAlike)).toBe("gone@example.com");

    // Running it again changes nothing.
    await database.handle.db.execute(sql.raw(MIGRATION));
    expect(await emailOf(lookAlike)).toBe("ｔａｋｅｎ@example.com");
  });
});
