import type { AuditEntry } from "@gatehouse/domain";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from "../testing/test-database.js";
import { rowsOf } from "./database.js";
import { repositoriesOn } from "./unit-of-work.js";

describe.each(testDatabaseKinds({ pgbouncer: true }))("AuditLog contract on %s", (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database.drop();
  });

  it("appends an entry with every field", async () => {
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

  it("lists matching entries newest first with the actor's username and the total", async () => {
    const repos = repositoriesOn(database.handle.db);
    const actor = await repos.users.create(
      {
        username: `auditor_${Math.random().toString(36).slice(2, 8)}`,
        email: `auditor_${Math.random().toString(36).slice(2, 8)}@example.com`,
        passwordHash: "x",
        fullName: null,
        phoneNumber: null,
        status: "active",
        emailVerifiedAt: null,
      },
      [],
    );
    const target = "11111111-1111-4111-8111-111111111111";
    const entry = (minute: number, overrides: Partial<AuditEntry> = {}): AuditEntry => ({
      action: "user.update",
      userId: actor.id,
      resourceType: "user",
      resourceId: target,
      status: "success",
      details: { minute },
      ipAddress: null,
      userAgent: null,
      requestId: null,
      durationMs: 1,
      timestamp: new Date(Date.UTC(2026, 4, 1, 10, minute)),
      ...overrides,
    });
    for (const minute of [1, 3, 2]) await repos.auditLog.append(entry(minute));
    await repos.auditLog.append(entry(4, { action: "user.delete" }));
    await repos.auditLog.append(entry(5, { action: "access.denied", status: "failure", userId: null }));

    const page = await repos.auditLog.list({ page: 1, perPage: 2, action: "user.update", resourceId: target });
    expect(page.totalItems).toBe(3);
    expect(page.items.map((item) => item.details)).toEqual([{ minute: 3 }, { minute: 2 }]);
    expect(page.items[0]).toMatchObject({ username: actor.username, userId: actor.id, resourceType: "user" });
    expect(page.items[0]?.id).toMatch(/^[0-9a-f-]{36}$/);

    const window = await repos.auditLog.list({
      page: 1,
      perPage: 10,
      resourceId: target,
      from: new Date(Date.UTC(2026, 4, 1, 10, 2)),
      to: new Date(Date.UTC(2026, 4, 1, 10, 4)),
    });
    expect(window.items.map((item) => item.details)).toEqual([{ minute: 4 }, { minute: 3 }, { minute: 2 }]);
    const failures = await repos.auditLog.list({ page: 1, perPage: 10, resourceId: target, status: "failure" });
    expect(failures.items).toHaveLength(1);
    expect(failures.items[0]?.username).toBeNull();
    const byActor = await repos.auditLog.list({ page: 1, perPage: 10, userId: actor.id, resourceType: "user" });
    expect(byActor.totalItems).toBe(4);
  });
  it("counts entries per UTC day and action from a given day on, in one grouped query", async () => {
    const log = repositoriesOn(database.handle.db).auditLog;
    const entry = (action: AuditEntry["action"], at: string): AuditEntry => ({
      action,
      userId: null,
      resourceType: "user",
      resourceId: null,
      status: "success",
      details: {},
      ipAddress: null,
      userAgent: null,
      requestId: "daily",
      durationMs: null,
      timestamp: new Date(at),
    });
    for (const [action, at] of [
      ["auth.register", "2030-05-01T23:59:59.000Z"],
      ["auth.login", "2030-05-01T00:00:00.000Z"],
      ["auth.login", "2030-05-01T12:00:00.000Z"],
      ["auth.login", "2030-05-02T00:00:00.000Z"],
      ["auth.logout", "2030-05-02T01:00:00.000Z"],
      ["auth.login", "2030-04-30T23:59:59.000Z"],
    ] as const) {
      await log.append(entry(action, at));
    }
    const counts = await log.dailyCounts({
      actions: ["auth.login", "auth.register"],
      since: new Date("2030-05-01T00:00:00.000Z"),
    });
    const sorted = [...counts].sort((a, b) => `${a.day}${a.action}`.localeCompare(`${b.day}${b.action}`));
    expect(sorted).toEqual([
      { day: "2030-05-01", action: "auth.login", count: 2 },
      { day: "2030-05-01", action: "auth.register", count: 1 },
      { day: "2030-05-02", action: "auth.login", count: 1 },
    ]);
    expect(await log.dailyCounts({ actions: [], since: new Date(0) })).toEqual([]);
  });
});
