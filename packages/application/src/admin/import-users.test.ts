import { describe, expect, it } from "vitest";
import { FakeClock, FakePasswordHasher, InMemoryDatabase, requestContext } from "../testing/index.js";
import { makeImportUsers } from "./import-users.js";
import type { AdminActor } from "./user-administration.js";

function setup() {
  const clock = new FakeClock();
  const db = new InMemoryDatabase(clock);
  const importUsers = makeImportUsers({ uow: db.uow, users: db.users, hasher: new FakePasswordHasher(), clock });
  const adminUser = db.seedUser({ username: "admin_one", email: "admin@example.com" }, ["admin"]);
  const existing = db.seedUser({ username: "existing", email: "existing@example.com" });
  const admin: AdminActor = {
    id: adminUser.id,
    access: {
      roles: ["admin"],
      permissions: ["users:read", "users:write", "users:delete", "users:import", "roles:read", "audit:read"],
    },
  };
  const imports = () => db.auditEntries().filter((entry) => entry.action === "user.import");
  return { clock, db, importUsers, admin, existing, imports, ctx: requestContext(clock) };
}

const lines = (...rows: unknown[]) =>
  rows.map((row) => (typeof row === "string" ? row : JSON.stringify(row))).join("\n");

describe("importUsers", () => {
  it("creates users with their hashes, skips existing emails, reports failed lines with their number", async () => {
    const { db, importUsers, admin, imports, ctx, clock } = setup();
    const report = await importUsers(
      admin,
      lines(
        {
          email: "Ada@Example.com",
          username: "ada",
          full_name: "Ada Lovelace",
          password_hash: FakePasswordHasher.legacyHashOf("Tr1cky-Fjord-Lantern-88"),
          email_verified: true,
        },
        { email: "existing@example.com", username: "someone_else" },
        "",
        { email: "no-hash@example.com" },
        "{not json",
        { email: "bad-hash@example.com", password_hash: "$md5$plain" },
        { email: "root-wannabe@example.com", roles: ["super_admin"] },
        { email: "typo@example.com", passwrod_hash: "x" },
        { email: "nobody-role@example.com", roles: ["no_such_role"] },
      ),
      ctx,
    );
    expect(report).toEqual({
      created: 2,
      skipped: 1,
      failed: [
        { line: 5, code: "VALIDATION_ERROR", message: "line: is not valid JSON" },
        { line: 6, code: "VALIDATION_ERROR", message: "password_hash: not a supported hash format" },
        { line: 7, code: "PRIVILEGE_ESCALATION", message: expect.any(String) },
        { line: 8, code: "VALIDATION_ERROR", message: "passwrod_hash: is not an import field" },
        { line: 9, code: "VALIDATION_ERROR", message: "roles: unknown role: no_such_role" },
      ],
    });
    const ada = await db.users.findByEmail("ada@example.com");
    expect(ada).toMatchObject({
      username: "ada",
      fullName: "Ada Lovelace",
      passwordHash: FakePasswordHasher.legacyHashOf("Tr1cky-Fjord-Lantern-88"),
      status: "active",
      emailVerifiedAt: clock.now(),
    });
    // No username given: one from the email's local part; no hash: no usable password.
    expect(await db.users.findByEmail("no-hash@example.com")).toMatchObject({
      username: "no-hash",
      passwordHash: "!password-reset-required",
      emailVerifiedAt: null,
    });
    expect(imports().map((entry) => [entry.userId, entry.details?.line, entry.details?.hash_format])).toEqual([
      [admin.id, 1, "legacy"],
      [admin.id, 4, null],
    ]);
    // Never a hash in the audit trail.
    expect(JSON.stringify(imports())).not.toContain("legacy:");
  });

  it("is idempotent: the same file twice creates nothing the second time", async () => {
    const { importUsers, admin, ctx } = setup();
    const file = lines({ email: "one@example.com" }, { email: "two@example.com" });
    expect(await importUsers(admin, file, ctx)).toEqual({ created: 2, skipped: 0, failed: [] });
    expect(await importUsers(admin, file, ctx)).toEqual({ created: 0, skipped: 2, failed: [] });
  });

  it("dry run checks every row and writes nothing", async () => {
    const { db, importUsers, admin, imports, ctx } = setup();
    const report = await importUsers(admin, lines({ email: "dry@example.com" }, { email: "x" }), ctx, { dryRun: true });
    expect(report.created).toBe(1);
    expect(report.failed.map((failure) => failure.line)).toEqual([2]);
    expect(await db.users.findByEmail("dry@example.com")).toBeUndefined();
    expect(imports()).toEqual([]);
  });

  it("each row is its own transaction: a row whose audit write fails leaves no user, the next row still imports", async () => {
    const { db, importUsers, admin, ctx } = setup();
    db.failNext("auditLog.append");
    await expect(importUsers(admin, lines({ email: "first@example.com" }), ctx)).rejects.toThrow(/injected/);
    expect(await db.users.findByEmail("first@example.com")).toBeUndefined();
    expect(await importUsers(admin, lines({ email: "first@example.com" }), ctx)).toMatchObject({ created: 1 });
  });

  it("a taken username fails its row only (DUPLICATE_USERNAME), numbered from firstLine", async () => {
    const { importUsers, admin, ctx } = setup();
    const report = await importUsers(admin, lines({ email: "clash@example.com", username: "existing" }), ctx, {
      firstLine: 10_001,
    });
    expect(report.failed).toEqual([{ line: 10_001, code: "DUPLICATE_USERNAME", message: expect.any(String) }]);
  });

  it("refuses more lines than one call takes", async () => {
    const { importUsers, admin, ctx } = setup();
    const file = Array.from({ length: 10_001 }, (_, i) => JSON.stringify({ email: `u${i}@example.com` })).join("\n");
    await expect(importUsers(admin, file, ctx)).rejects.toMatchObject({ code: "VALIDATION_ERROR" });
  });
});
