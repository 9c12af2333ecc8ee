import { DomainError } from "@gatehouse/domain";
import { describe, expect, it } from "vitest";
import {
  caught,
  FakeClock,
  FakeOpaqueTokens,
  FakeSessionRevocations,
  InMemoryDatabase,
  requestContext,
} from "../testing/index.js";
import { makeLogOut } from "./log-out.js";

function setup() {
  const clock = new FakeClock();
  const db = new InMemoryDatabase(clock);
  const revocations = new FakeSessionRevocations();
  const logOut = makeLogOut({ uow: db.uow, opaqueTokens: new FakeOpaqueTokens(), revocations, clock });
  const alice = db.seedUser({ email: "alice@example.com" });
  const bob = db.seedUser({ email: "bob@example.com" });
  const laptop = db.seedRefreshToken({ userId: alice.id, tokenHash: FakeOpaqueTokens.hashOf("alice-laptop") });
  const phone = db.seedRefreshToken({ userId: alice.id, tokenHash: FakeOpaqueTokens.hashOf("alice-phone") });
  const tablet = db.seedRefreshToken({ userId: alice.id, tokenHash: FakeOpaqueTokens.hashOf("alice-tablet") });
  const bobs = db.seedRefreshToken({ userId: bob.id, tokenHash: FakeOpaqueTokens.hashOf("bob-desktop") });
  return { clock, db, revocations, logOut, alice, bob, laptop, phone, tablet, bobs, ctx: requestContext(clock) };
}

describe("logOut", () => {
  it("ends the caller's own session by default", async () => {
    const { db, logOut, alice, laptop, phone, revocations, ctx, clock } = setup();
    const result = await logOut({ userId: alice.id, sessionId: laptop.familyId }, ctx);

    expect(result).toEqual({ sessionsEnded: 1 });
    expect(db.tokenByHash(laptop.tokenHash)).toMatchObject({ revokedReason: "logout", revokedAt: clock.now() });
    expect(db.tokenByHash(phone.tokenHash)?.revokedAt).toBeNull();
    expect(revocations.revokeCalls).toEqual([[laptop.familyId]]);
  });

  it("audits auth.logout in its unit of work", async () => {
    const { db, logOut, alice, laptop, ctx } = setup();
    await logOut({ userId: alice.id, sessionId: laptop.familyId }, ctx);
    expect(db.storedAuditEntries()).toEqual([
      {
        txId: 1,
        entry: expect.objectContaining({
          action: "auth.logout",
          userId: alice.id,
          status: "success",
          details: { all_devices: false, sessions: 1 },
        }),
      },
    ]);
  });

  it("ends the session of a given refresh token instead of the caller's own", async () => {
    const { db, logOut, alice, laptop, phone, revocations, ctx } = setup();
    const result = await logOut({ userId: alice.id, sessionId: laptop.familyId, refreshToken: "alice-phone" }, ctx);

    expect(result).toEqual({ sessionsEnded: 1 });
    expect(db.tokenByHash(phone.tokenHash)?.revokedReason).toBe("logout");
    expect(db.tokenByHash(laptop.tokenHash)?.revokedAt).toBeNull();
    expect(revocations.revokeCalls).toEqual([[phone.familyId]]);
    expect(db.lockCalls).toEqual([phone.tokenHash]);
  });

  it("ends the whole family of a given refresh token that was rotated", async () => {
    const { db, logOut, alice, laptop, clock, revocations, ctx } = setup();
    await db.uow.run((tx) =>
      tx.refreshTokens.rotate(
        laptop,
        {
          tokenHash: FakeOpaqueTokens.hashOf("alice-laptop-2"),
          expiresAt: laptop.expiresAt,
          userAgent: null,
          ipAddress: null,
        },
        clock.now(),
      ),
    );
    await logOut({ userId: alice.id, sessionId: "some-other-session", refreshToken: "alice-laptop" }, ctx);
    expect(db.activeTokensOfFamily(laptop.familyId)).toEqual([]);
    expect(db.tokenByHash(FakeOpaqueTokens.hashOf("alice-laptop-2"))?.revokedReason).toBe("logout");
    expect(revocations.revokeCalls).toEqual([[laptop.familyId]]);
  });

  it("refuses another user's refresh token as REFRESH_TOKEN_INVALID and changes nothing", async () => {
    const { db, logOut, alice, laptop, bobs, revocations, ctx } = setup();
    const before = db.allRefreshTokens();
    const error = await caught(() =>
      logOut({ userId: alice.id, sessionId: laptop.familyId, refreshToken: "bob-desktop" }, ctx),
    );
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: "REFRESH_TOKEN_INVALID" });
    expect(db.tokenByHash(bobs.tokenHash)?.revokedAt).toBeNull();
    expect(db.allRefreshTokens()).toEqual(before);
    expect(db.auditEntries()).toEqual([]);
    expect(revocations.revokeCalls).toEqual([]);
  });

  it("refuses an unknown refresh token as REFRESH_TOKEN_INVALID", async () => {
    const { db, logOut, alice, laptop, revocations, ctx } = setup();
    const error = await caught(() =>
      logOut({ userId: alice.id, sessionId: laptop.familyId, refreshToken: "made-up" }, ctx),
    );
    expect(error).toMatchObject({ code: "REFRESH_TOKEN_INVALID" });
    expect(db.tokenByHash(laptop.tokenHash)?.revokedAt).toBeNull();
    expect(revocations.revokeCalls).toEqual([]);
  });

  it("ends every session of the user with all_devices, and nobody else's", async () => {
    const { db, logOut, alice, laptop, phone, tablet, bobs, revocations, ctx } = setup();
    const result = await logOut({ userId: alice.id, sessionId: laptop.familyId, allDevices: true }, ctx);

    expect(result).toEqual({ sessionsEnded: 3 });
    for (const token of [laptop, phone, tablet]) {
      expect(db.tokenByHash(token.tokenHash)?.revokedReason).toBe("logout_all");
    }
    expect(db.tokenByHash(bobs.tokenHash)?.revokedAt).toBeNull();
    expect(revocations.revokeCalls).toHaveLength(1);
    expect([...(revocations.revokeCalls[0] ?? [])].sort()).toEqual(
      [laptop.familyId, phone.familyId, tablet.familyId].sort(),
    );
    expect(db.auditEntries()).toEqual([
      expect.objectContaining({ action: "auth.logout", details: { all_devices: true, sessions: 3 } }),
    ]);
  });

  it("with all_devices, also revokes the caller's own session id even when it has no active token", async () => {
    const { db, logOut, alice, revocations, ctx, clock } = setup();
    await db.refreshTokens.revokeAllForUser(alice.id, "logout", clock.now());
    const result = await logOut({ userId: alice.id, sessionId: "current-sid", allDevices: true }, ctx);
    expect(result).toEqual({ sessionsEnded: 1 });
    expect(revocations.revokeCalls).toEqual([["current-sid"]]);
  });

  it("succeeds for an already-ended session", async () => {
    const { db, logOut, alice, laptop, revocations, ctx } = setup();
    await logOut({ userId: alice.id, sessionId: laptop.familyId }, ctx);
    const again = await logOut({ userId: alice.id, sessionId: laptop.familyId }, ctx);
    expect(again).toEqual({ sessionsEnded: 1 });
    expect(db.tokenByHash(laptop.tokenHash)?.revokedReason).toBe("logout");
    expect(revocations.revokedSids()).toEqual([laptop.familyId]);
  });

  it("revokes nothing in memory when the database work fails", async () => {
    const { db, logOut, alice, laptop, revocations, ctx } = setup();
    db.failNext("auditLog.append", new Error("audit store down"));
    await expect(logOut({ userId: alice.id, sessionId: laptop.familyId }, ctx)).rejects.toThrow("audit store down");
    expect(db.tokenByHash(laptop.tokenHash)?.revokedAt).toBeNull();
    expect(revocations.revokeCalls).toEqual([]);
  });
});
