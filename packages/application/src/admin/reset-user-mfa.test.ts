import { describe, expect, it } from "vitest";
import {
  caught,
  FakeCache,
  FakeClock,
  FakeOpaqueTokens,
  FakeSessionRevocations,
  InMemoryDatabase,
  requestContext,
} from "../testing/index.js";
import { makeResetUserMfa } from "./reset-user-mfa.js";
import type { AdminActor } from "./user-administration.js";

async function setup() {
  const clock = new FakeClock();
  const db = new InMemoryDatabase(clock);
  const revocations = new FakeSessionRevocations();
  const reset = makeResetUserMfa({ uow: db.uow, clock, cache: new FakeCache(clock), revocations });
  const adminUser = db.seedUser({ username: "admin" }, ["admin"]);
  const root = db.seedUser({ username: "root" }, ["super_admin"]);
  const target = db.seedUser({ username: "target", email: "target@example.com" });
  db.seedRefreshToken({ userId: target.id, tokenHash: FakeOpaqueTokens.hashOf("target-laptop") });
  const now = clock.now();
  const totp = await db.mfa.startTotp({ userId: target.id, secretCiphertext: "sealed", now });
  await db.mfa.acceptTotpStep({ factorId: totp?.id ?? "", timeStep: 1, now, confirm: true });
  await db.mfa.replaceRecoveryCodes({ userId: target.id, codeHashes: ["code-a", "code-b"], now });
  db.mfa.addWebAuthnFactor(target.id, now);
  await db.mfa.replaceRecoveryCodes({ userId: root.id, codeHashes: ["root-code"], now });
  const admin: AdminActor = { id: adminUser.id, access: { roles: ["admin"], permissions: ["users:write"] } };
  return { db, revocations, reset, admin, root, target, ctx: requestContext(clock) };
}

describe("resetUserMfa (DELETE /admin/users/{id}/mfa)", () => {
  it("removes every factor, ends every session, mails the user and audits actor, target and count", async () => {
    const s = await setup();
    expect(await s.reset(s.admin, s.target.id, s.ctx)).toEqual({ factorsRemoved: 3, sessionsRevoked: 1 });
    expect(await s.db.mfa.listFactors(s.target.id)).toEqual([]);
    expect(await s.db.mfa.countUnusedRecoveryCodes(s.target.id)).toBe(0);
    expect(s.db.activeTokensOfFamily(s.db.allRefreshTokens()[0]?.familyId ?? "")).toHaveLength(0);
    expect(s.revocations.revokedSids()).toHaveLength(1);
    expect(s.db.queuedMail()).toEqual([
      { to: "target@example.com", template: "mfa-reset-by-admin", data: { username: "target" } },
    ]);
    expect(s.db.auditEntries()).toEqual([
      expect.objectContaining({
        action: "mfa.reset_by_admin",
        status: "success",
        userId: s.admin.id,
        resourceId: s.target.id,
        details: { factors_removed: 3, factor_types: ["recovery_codes", "totp", "webauthn"], sessions_revoked: 1 },
      }),
    ]);
    // Another user's factors stay.
    expect(await s.db.mfa.listFactors(s.root.id)).toHaveLength(1);
  });

  it("mails nobody when there was nothing to remove, and still ends the sessions", async () => {
    const s = await setup();
    await s.reset(s.admin, s.target.id, s.ctx);
    s.db.seedRefreshToken({ userId: s.target.id, tokenHash: FakeOpaqueTokens.hashOf("target-phone") });
    expect(await s.reset(s.admin, s.target.id, s.ctx)).toEqual({ factorsRemoved: 0, sessionsRevoked: 1 });
    expect(s.db.queuedMail()).toHaveLength(1);
  });

  it("answers USER_NOT_FOUND for an unknown or deleted user and changes nothing", async () => {
    const s = await setup();
    expect(await caught(() => s.reset(s.admin, "no-such-user", s.ctx))).toMatchObject({ code: "USER_NOT_FOUND" });
    s.db.updateUser(s.target.id, { deletedAt: new Date() });
    expect(await caught(() => s.reset(s.admin, s.target.id, s.ctx))).toMatchObject({ code: "USER_ALREADY_DELETED" });
    expect(await s.db.mfa.listFactors(s.target.id)).toHaveLength(3);
    expect(s.db.auditEntries()).toEqual([]);
  });

  it("refuses an admin resetting a super_admin, audits the refusal and keeps the factors", async () => {
    const s = await setup();
    expect(await caught(() => s.reset(s.admin, s.root.id, s.ctx))).toMatchObject({ code: "SUPER_ADMIN_REQUIRED" });
    expect(await s.db.mfa.listFactors(s.root.id)).toHaveLength(1);
    expect(s.db.queuedMail()).toEqual([]);
    expect(s.db.auditEntries()).toEqual([
      expect.objectContaining({ action: "mfa.reset_by_admin", status: "failure", resourceId: s.root.id }),
    ]);
  });

  it("refuses the admin's own factors: those are removed from an aal2 session by the owner", async () => {
    const s = await setup();
    await s.db.mfa.replaceRecoveryCodes({ userId: s.admin.id ?? "", codeHashes: ["own"], now: new Date() });
    expect(await caught(() => s.reset(s.admin, s.admin.id ?? "", s.ctx))).toMatchObject({
      code: "CANNOT_RESET_OWN_MFA",
    });
    expect(await s.db.mfa.listFactors(s.admin.id ?? "")).toHaveLength(1);
  });

  it("puts the factors back when the audit write fails: one unit of work", async () => {
    const s = await setup();
    s.db.failNext("auditLog.append");
    await caught(() => s.reset(s.admin, s.target.id, s.ctx));
    expect(await s.db.mfa.listFactors(s.target.id)).toHaveLength(3);
    expect(await s.db.mfa.countUnusedRecoveryCodes(s.target.id)).toBe(2);
    expect(s.db.activeTokensOfFamily(s.db.allRefreshTokens()[0]?.familyId ?? "")).toHaveLength(1);
    expect(s.db.queuedMail()).toEqual([]);
  });
});
