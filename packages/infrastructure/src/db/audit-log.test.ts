import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from "../testing/test-database.js";
import { rowsOf } from "./database.js";
import { repositoriesOn } from "./unit-of-work.js";

describe.each(testDatabaseKinds())("AuditLog contract on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database.drop();
  });

  it("appends an entry with every PRD field", async () => {
    const timestamp = new Date("2026-01-02T03:04:05.000Z");
    await repositoriesOn(database.handle.db).auditLog.append({
      action: "auth.login_failed",
      userId: null,
      resourceType: "user",
      resourceId: null,
      status: "failure",
      details: { reason: "unknown_account" },
      ipAddress: "::1",
      userAgent: "curl/8",
      requestId: "req-1",
      durationMs: 42,
      timestamp,
    });
    const rows = rowsOf<Record<string, unknown>>(
      await database.handle.db.execute(sql`SELECT * FROM audit_logs WHERE request_id = 'req-1'`),
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: "auth.login_failed",
      status: "failure",
      ip_address: "::1",
      user_agent: "curl/8",
      duration_ms: 42,
      details: { reason: "unknown_account" },
    });
  });
});
