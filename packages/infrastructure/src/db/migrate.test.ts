import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from "../testing/test-database.js";
import { rowsOf } from "./database.js";
import { runMigrations } from "./migrate.js";

describe.each(testDatabaseKinds())("migrations on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database.drop();
  });

  it("creates the seven PRD tables and seeds roles and permissions", async () => {
    const tables = rowsOf<{ table_name: string }>(
      await database.handle.db.execute(
        sql`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
      ),
    ).map((row) => row.table_name);
    expect(tables).toEqual(
      expect.arrayContaining([
        "audit_logs",
        "permissions",
        "refresh_tokens",
        "role_permissions",
        "roles",
        "user_roles",
        "users",
      ]),
    );
    const grants = rowsOf<{ role: string; count: number }>(
      await database.handle.db.execute(sql`
        SELECT r.name AS role, count(rp.permission_id)::int AS count
        FROM roles r LEFT JOIN role_permissions rp ON rp.role_id = r.id GROUP BY r.name ORDER BY r.name`),
    );
    expect(grants).toEqual([
      { role: "admin", count: 5 },
      { role: "super_admin", count: 10 }, // the first migration's nine and system:read
      { role: "user", count: 0 },
    ]);
  });

  it("is idempotent and safe when several instances migrate at once", async () => {
    await Promise.all([runMigrations(database.handle), runMigrations(database.handle), runMigrations(database.handle)]);
    const [row] = rowsOf<{ count: number }>(
      await database.handle.db.execute(sql`SELECT count(*)::int AS count FROM roles`),
    );
    expect(row?.count).toBe(3);
  });

  it("rejects a status outside the state machine", async () => {
    await expect(
      database.handle.db.execute(
        sql`INSERT INTO users (username, email, password_hash, status) VALUES ('bad', 'bad@example.com', 'x', 'banned')`,
      ),
    ).rejects.toThrow();
  });
});
