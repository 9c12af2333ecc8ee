import { DomainError, SELF_DEACTIVATION_REASON } from "@gatehouse/domain";
import { describe, expect, it } from "vitest";
import {
  caught,
  credentialFailuresOn,
  FakeCache,
  FakeClock,
  FakeOpaqueTokens,
  FakePasswordHasher,
  FakeSessionRevocations,
  InMemoryDatabase,
  PASSWORD_POLICY,
  requestContext,
} from "../testing/index.js";
import { makeChangePassword } from "./change-password.js";
import { makeDeactivateAccount } from "./deactivate-account.js";
import { makeDeleteAccount } from "./delete-account.js";
import { makeReactivateAccount } from "./reactivate-account.js";
import { makeListSessions, makeRevokeSession } from "./sessions.js";

const PASSWORD = "Passw0rd!";

function setup() {
  const clock = new FakeClock();
  const db = new InMemoryDatabase(clock);
  const hasher = new FakePasswordHasher();
  const revocations = new FakeSessionRevocations();
  const cache = new FakeCache(clock);
  const alice = db.seedUser({ email: "alice@example.com", username: "alice" });
  const bob = db.seedUser({ email: "bob@example.com" });
  const laptop = db.seedRefreshToken({ userId: alice.id, tokenHash: FakeOpaqueTokens.hashOf("laptop") });
  const phone = db.seedRefreshToken({ userId: alice.id, tokenHash: FakeOpaqueTokens.hashOf("phone") });
  const bobs = db.seedRefreshToken({ userId: bob.id, tokenHash: FakeOpaqueTokens.hashOf("bob") });
  const credentialFailures = credentialFailuresOn(db.deviceTokens, clock);
  const deps = {
    users: db.users,
    uow: db.uow,
    hasher,
    credentialFailures,
    clock,
    revocations,
    cache,
    passwordPolicy: PASSWORD_POLICY,
  };
  return { clock, db, deps, revocations, cache, alice, bob, laptop, phone, bobs, ctx: requestContext(clock) };
}

const codeOf = (error: unknown) => (error as DomainError).code;

describe("changePassword", () => {
  const input = (userId: string, sessionId: string, overrides = {}) => ({
    userId,
    sessionId,
    currentPassword: PASSWORD,
    newPassword: "New-Passw0rd",
    signOutOtherSessions: true,
    ...overrides,
  });

  it("sets the hash, ends the other sessions only, and queues the mail and audit in the same unit of work", async () => {
    const { db, deps, revocations, alice, laptop, phone, bobs, ctx } = setup();
    const result = await makeChangePassword(deps)(input(alice.id, laptop.familyId), ctx);
    expect(result).toEqual({ otherSessionsEnded: 1 });
    expect(db.allUsers().find((u) => u.id === alice.id)?.passwordHash).toBe("hashed:New-Passw0rd");
    expect(db.activeTokensOfFamily(laptop.familyId)).toHaveLength(1);
    expect(db.activeTokensOfFamily(phone.familyId)).toHaveLength(0);
    expect(db.activeTokensOfFamily(bobs.familyId)).toHaveLength(1);
    expect(revocations.revokeCalls).toEqual([[phone.familyId]]);
    expect(db.queuedMail()).toEqual([
      { to: "alice@example.com", template: "password-changed", data: { username: "alice" } },
    ]);
    const audit = db.storedAuditEntries().find((stored) => stored.entry.action === "user.password_changed");
    expect(audit?.txId).not.toBeNull();
    expect(db.transactions.find((tx) => tx.id === audit?.txId)?.outcome).toBe("committed");
  });

  it("refuses a wrong current password, a weak new one and an unchanged one, writing nothing", async () => {
    const { db, deps, alice, laptop, ctx } = setup();
    const change = makeChangePassword(deps);
    expect(codeOf(await caught(() => change(input(alice.id, laptop.familyId, { currentPassword: "x" }), ctx)))).toBe(
      "INVALID_CREDENTIALS",
    );
    expect(codeOf(await caught(() => change(input(alice.id, laptop.familyId, { newPassword: "weak" }), ctx)))).toBe(
      "VALIDATION_ERROR",
    );
    expect(codeOf(await caught(() => change(input(alice.id, laptop.familyId, { newPassword: PASSWORD }), ctx)))).toBe(
      "VALIDATION_ERROR",
    );
    expect(db.queuedMail()).toEqual([]);
    expect(db.allUsers().find((u) => u.id === alice.id)?.passwordHash).toBe(`hashed:${PASSWORD}`);
  });

  it("rolls everything back when the audit write fails", async () => {
    const { db, deps, revocations, alice, laptop, phone, ctx } = setup();
    db.failNext("auditLog.append");
    await caught(() => makeChangePassword(deps)(input(alice.id, laptop.familyId), ctx));
    expect(db.allUsers().find((u) => u.id === alice.id)?.passwordHash).toBe(`hashed:${PASSWORD}`);
    expect(db.activeTokensOfFamily(phone.familyId)).toHaveLength(1);
    expect(db.queuedMail()).toEqual([]);
    expect(revocations.revokeCalls).toEqual([]);
  });
});

describe("deactivate, reactivate and delete", () => {
  it("deactivates through the state machine with the self reason, ending every session and the cached access", async () => {
    const { db, deps, revocations, cache, alice, laptop, phone, ctx } = setup();
    expect(await makeDeactivateAccount(deps)({ userId: alice.id, password: PASSWORD }, ctx)).toEqual({
      sessionsEnded: 2,
    });
    expect(db.allUsers().find((u) => u.id === alice.id)).toMatchObject({
      status: "deactivated",
      statusReason: SELF_DEACTIVATION_REASON,
    });
    expect(revocations.revokedSids()).toEqual([laptop.familyId, phone.familyId].sort());
    expect(cache.deleted).toContain(`permissions:${alice.id}`);
  });

  it("answers a status that may not hold a session with its own code, changing nothing", async () => {
    const { db, deps, alice, ctx } = setup();
    const deactivate = makeDeactivateAccount(deps);
    db.updateUser(alice.id, { status: "pending_approval" });
    // A session-blocked status answers its own 403 code before the state machine is asked.
    expect(codeOf(await caught(() => deactivate({ userId: alice.id, password: PASSWORD }, ctx)))).toBe(
      "ACCOUNT_PENDING_APPROVAL",
    );
  });

  it("reactivates only a self-deactivated account; unknown email and wrong password are one answer", async () => {
    const { db, deps, alice, bob, ctx } = setup();
    const reactivate = makeReactivateAccount(deps);
    db.updateUser(alice.id, { status: "deactivated", statusReason: SELF_DEACTIVATION_REASON });
    const unknown = await caught(() => reactivate({ email: "nobody@example.com", password: PASSWORD }, ctx));
    const wrong = await caught(() => reactivate({ email: "alice@example.com", password: "nope" }, ctx));
    expect([codeOf(unknown), codeOf(wrong)]).toEqual(["INVALID_CREDENTIALS", "INVALID_CREDENTIALS"]);
    expect((unknown as DomainError).message).toBe((wrong as DomainError).message);

    expect(await reactivate({ email: "alice@example.com", password: PASSWORD }, ctx)).toEqual({ reactivated: true });
    expect(db.allUsers().find((u) => u.id === alice.id)).toMatchObject({ status: "active", statusReason: null });
    expect(await reactivate({ email: "alice@example.com", password: PASSWORD }, ctx)).toEqual({ reactivated: false });

    db.updateUser(bob.id, { status: "suspended", statusReason: "abuse" });
    expect(codeOf(await caught(() => reactivate({ email: "bob@example.com", password: PASSWORD }, ctx)))).toBe(
      "ACCOUNT_SUSPENDED",
    );
    db.updateUser(bob.id, { status: "deactivated", statusReason: "by an administrator" });
    expect(codeOf(await caught(() => reactivate({ email: "bob@example.com", password: PASSWORD }, ctx)))).toBe(
      "ACCOUNT_DEACTIVATED",
    );
  });

  it("soft-deletes by the owner and ends every session", async () => {
    const { db, deps, revocations, alice, ctx, clock } = setup();
    expect(await makeDeleteAccount(deps)({ userId: alice.id, password: PASSWORD }, ctx)).toEqual({ sessionsEnded: 2 });
    expect(db.allUsers().find((u) => u.id === alice.id)).toMatchObject({ deletedAt: clock.now(), deletedBy: alice.id });
    expect(revocations.revokeCalls).toHaveLength(1);
    expect(await db.users.findByEmail("alice@example.com")).toBeUndefined();
  });
});

describe("sessions", () => {
  it("lists the caller's active sessions and marks the current one", async () => {
    const { db, deps, alice, laptop, phone } = setup();
    const list = await makeListSessions({ refreshTokens: db.refreshTokens, clock: deps.clock })(
      alice.id,
      phone.familyId,
    );
    expect(list.map((s) => [s.id, s.current]).sort()).toEqual(
      [
        [laptop.familyId, false],
        [phone.familyId, true],
      ].sort(),
    );
  });

  it("revokes an own session, and answers 404 for another user's one without touching it", async () => {
    const { db, deps, revocations, alice, laptop, phone, bobs, ctx } = setup();
    const revoke = makeRevokeSession(deps);
    await revoke({ userId: alice.id, currentSessionId: laptop.familyId, sessionId: phone.familyId }, ctx);
    expect(db.activeTokensOfFamily(phone.familyId)).toHaveLength(0);
    const idor = await caught(() =>
      revoke({ userId: alice.id, currentSessionId: laptop.familyId, sessionId: bobs.familyId }, ctx),
    );
    expect(idor).toBeInstanceOf(DomainError);
    expect(codeOf(idor)).toBe("NOT_FOUND");
    expect(db.activeTokensOfFamily(bobs.familyId)).toHaveLength(1);
    expect(revocations.revokeCalls).toEqual([[phone.familyId]]);
  });
});
