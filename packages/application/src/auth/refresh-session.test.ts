import { DomainError, type RefreshToken } from "@gatehouse/domain";
import { describe, expect, it } from "vitest";
import {
  caught,
  FakeAccessTokens,
  FakeCache,
  FakeClock,
  FakeMfa,
  FakeOpaqueTokens,
  FakeSessionRevocations,
  InMemoryDatabase,
  REFRESH_POLICY,
  requestContext,
} from "../testing/index.js";
import { makeRefreshSession } from "./refresh-session.js";

const GRACE_MS = REFRESH_POLICY.reuseGraceSeconds * 1000;

function setup() {
  const clock = new FakeClock();
  const db = new InMemoryDatabase(clock);
  const opaqueTokens = new FakeOpaqueTokens();
  const accessTokens = new FakeAccessTokens(clock, 900);
  const revocations = new FakeSessionRevocations();
  let ids = 0;
  const refreshSession = makeRefreshSession({
    mfa: new FakeMfa(),
    refreshTokens: db.refreshTokens,
    users: db.users,
    cache: new FakeCache(clock),
    newId: () => `next-${++ids}`,
    opaqueTokens,
    accessTokens,
    revocations,
    clock,
    refreshPolicy: REFRESH_POLICY,
  });
  const user = db.seedUser({ email: "alice@example.com" }, ["admin"]);
  const original = db.seedRefreshToken({ userId: user.id, tokenHash: FakeOpaqueTokens.hashOf("secret-A") });
  const ctx = requestContext(clock, { userAgent: "browser/2", ipAddress: "192.0.2.9" });
  return { clock, db, opaqueTokens, accessTokens, revocations, refreshSession, user, original, ctx };
}

function find(db: InMemoryDatabase, id: string): RefreshToken | undefined {
  return db.allRefreshTokens().find((token) => token.id === id);
}

describe("refreshSession", () => {
  describe("rotation", () => {
    it("retires the presented token and issues its successor in the same family", async () => {
      const { db, refreshSession, original, ctx, clock, accessTokens, user } = setup();
      clock.advanceSeconds(60);
      const tokens = await refreshSession("secret-A", ctx);

      expect(tokens).toEqual({
        accessToken: "access-1",
        refreshToken: "refresh-1",
        tokenType: "Bearer",
        expiresIn: 900,
        refreshExpiresIn: REFRESH_POLICY.ttlSeconds,
        sessionId: original.familyId,
      });

      const successor = db.tokenByHash(FakeOpaqueTokens.hashOf("refresh-1"));
      expect(successor).toMatchObject({
        userId: user.id,
        familyId: original.familyId,
        parentId: original.id,
        revokedAt: null,
        expiresAt: new Date(clock.now().getTime() + REFRESH_POLICY.ttlSeconds * 1000),
        userAgent: "browser/2",
        ipAddress: "192.0.2.9",
      });
      expect(find(db, original.id)).toMatchObject({
        revokedAt: clock.now(),
        revokedReason: "rotated",
        replacedBy: successor?.id,
      });
      expect(db.activeTokensOfFamily(original.familyId)).toEqual([successor]);

      const claims = await accessTokens.verify(tokens.accessToken);
      expect(claims).toMatchObject({ sub: user.id, sid: original.familyId, roles: ["admin"] });
      expect(claims.permissions).toContain("users:write");
    });

    it("audits auth.refresh without grace", async () => {
      const { db, refreshSession, original, ctx, user } = setup();
      await refreshSession("secret-A", ctx);
      expect(db.storedAuditEntries()).toEqual([
        {
          txId: null, // written by the repository's atomic step, with the rotation
          entry: expect.objectContaining({
            action: "auth.refresh",
            userId: user.id,
            status: "success",
            details: { session_id: original.familyId, grace_reissue: false },
          }),
        },
      ]);
    });

    it("locks the family of the presented token", async () => {
      const { db, refreshSession, ctx } = setup();
      await refreshSession("secret-A", ctx);
      expect(db.lockCalls).toEqual([FakeOpaqueTokens.hashOf("secret-A")]);
    });

    it("chains: the successor can be refreshed in turn", async () => {
      const { db, refreshSession, original, ctx, clock } = setup();
      const first = await refreshSession("secret-A", ctx);
      clock.advanceSeconds(600);
      const second = await refreshSession(first.refreshToken, ctx);
      expect(second.sessionId).toBe(original.familyId);
      expect(db.tokensOfFamily(original.familyId)).toHaveLength(3);
      expect(db.activeTokensOfFamily(original.familyId)).toEqual([
        expect.objectContaining({ tokenHash: FakeOpaqueTokens.hashOf(second.refreshToken) }),
      ]);
    });

    it("leaves nothing changed when rotation fails", async () => {
      const { db, refreshSession, original, ctx } = setup();
      db.failNext("refreshTokens.rotate", new Error("deadlock"));
      await expect(refreshSession("secret-A", ctx)).rejects.toThrow("deadlock");
      expect(db.allRefreshTokens()).toEqual([original]);
      expect(db.auditEntries()).toEqual([]);
    });
  });

  describe("grace window", () => {
    it("re-issues for a just-rotated token, retiring the current one and keeping one active token", async () => {
      const { db, refreshSession, original, ctx, clock } = setup();
      const first = await refreshSession("secret-A", ctx);
      const current = db.tokenByHash(FakeOpaqueTokens.hashOf(first.refreshToken));
      clock.advanceSeconds(5);

      const again = await refreshSession("secret-A", ctx);

      expect(again.sessionId).toBe(original.familyId);
      expect(again.refreshToken).not.toBe(first.refreshToken);
      const reissued = db.tokenByHash(FakeOpaqueTokens.hashOf(again.refreshToken));
      expect(reissued).toMatchObject({ familyId: original.familyId, parentId: current?.id, revokedAt: null });
      expect(db.tokenByHash(FakeOpaqueTokens.hashOf(first.refreshToken))).toMatchObject({
        revokedReason: "rotated",
        revokedAt: clock.now(),
        replacedBy: reissued?.id,
      });
      expect(db.activeTokensOfFamily(original.familyId)).toEqual([reissued]);
      // The presented token keeps its original retirement.
      expect(find(db, original.id)?.replacedBy).toBe(current?.id);
    });

    it("audits the re-issue as auth.refresh with grace_reissue", async () => {
      const { db, refreshSession, original, ctx, clock } = setup();
      await refreshSession("secret-A", ctx);
      clock.advanceSeconds(1);
      await refreshSession("secret-A", ctx);
      expect(db.auditEntries().map((entry) => [entry.action, entry.details])).toEqual([
        ["auth.refresh", { session_id: original.familyId, grace_reissue: false }],
        ["auth.refresh", { session_id: original.familyId, grace_reissue: true }],
      ]);
    });

    it("still applies exactly at the end of the window", async () => {
      const { db, refreshSession, original, ctx, clock, revocations } = setup();
      await refreshSession("secret-A", ctx);
      clock.advanceMs(GRACE_MS);
      await expect(refreshSession("secret-A", ctx)).resolves.toMatchObject({ sessionId: original.familyId });
      expect(db.activeTokensOfFamily(original.familyId)).toHaveLength(1);
      expect(revocations.revokeCalls).toEqual([]);
    });

    it("serializes two racing refreshes of the same token into rotate + grace", async () => {
      const { db, refreshSession, original, ctx } = setup();
      const [a, b] = await Promise.all([refreshSession("secret-A", ctx), refreshSession("secret-A", ctx)]);
      expect(a.sessionId).toBe(original.familyId);
      expect(b.sessionId).toBe(original.familyId);
      expect(db.activeTokensOfFamily(original.familyId)).toEqual([
        expect.objectContaining({ tokenHash: FakeOpaqueTokens.hashOf(b.refreshToken) }),
      ]);
    });

    it("refuses with REFRESH_TOKEN_REVOKED when the family ended meanwhile", async () => {
      const { db, refreshSession, original, ctx, clock, revocations } = setup();
      await refreshSession("secret-A", ctx);
      await db.refreshTokens.revokeFamily(original.familyId, "logout", clock.now());
      const before = db.allRefreshTokens();
      clock.advanceSeconds(2);

      const error = await caught(() => refreshSession("secret-A", ctx));
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: "REFRESH_TOKEN_REVOKED" });
      expect(db.allRefreshTokens()).toEqual(before);
      expect(revocations.revokeCalls).toEqual([]);
    });
  });

  describe("reuse after the grace window", () => {
    /** The owner refreshes twice (using its successor); then the first token is replayed. */
    async function replayed() {
      const fixture = setup();
      const first = await fixture.refreshSession("secret-A", fixture.ctx);
      fixture.clock.advanceSeconds(60);
      const second = await fixture.refreshSession(first.refreshToken, fixture.ctx);
      fixture.clock.advanceMs(GRACE_MS + 1);
      const error = await caught(() => fixture.refreshSession("secret-A", fixture.ctx));
      return { ...fixture, first, second, error };
    }

    it("throws REFRESH_TOKEN_REVOKED", async () => {
      const { error } = await replayed();
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: "REFRESH_TOKEN_REVOKED" });
    });

    it("revokes the whole family and keeps that (one atomic step, no unit of work to roll back)", async () => {
      const { db, original, clock } = await replayed();
      expect(db.activeTokensOfFamily(original.familyId)).toEqual([]);
      const current = db.tokensOfFamily(original.familyId).find((token) => token.revokedReason !== "rotated");
      expect(current).toMatchObject({ revokedReason: "reuse_detected", revokedAt: clock.now() });
      expect(find(db, original.id)?.revokedReason).toBe("rotated");
      expect(db.transactions).toEqual([]); // decided and written by the repository's one atomic step
    });

    it("audits auth.refresh_reuse_detected as a failure", async () => {
      const { db, original, user } = await replayed();
      expect(db.auditEntries().at(-1)).toMatchObject({
        action: "auth.refresh_reuse_detected",
        userId: user.id,
        status: "failure",
        details: { session_id: original.familyId, token_id: original.id },
      });
    });

    it("revokes the session id so its access tokens stop working", async () => {
      const { revocations, original } = await replayed();
      expect(revocations.revokeCalls).toEqual([[original.familyId]]);
      expect(await revocations.isRevoked(original.familyId)).toBe(true);
    });

    it("leaves the thief's and the owner's successor token unusable", async () => {
      const { refreshSession, second, ctx } = await replayed();
      const error = await caught(() => refreshSession(second.refreshToken, ctx));
      expect(error).toMatchObject({ code: "REFRESH_TOKEN_REVOKED" });
    });

    it("issues no tokens", async () => {
      const { accessTokens, opaqueTokens } = await replayed();
      expect(accessTokens.issued).toHaveLength(2); // only the owner's two refreshes
      expect(opaqueTokens.generated).toHaveLength(3); // generated up front, never handed out
    });
  });

  describe("retry after a 503, past the grace window", () => {
    // Regression: the first refresh committed but the client got a 503 (the answer was lost);
    // its retry reached the database 18 s later, past the 10 s grace window, and the whole
    // session was revoked as a replay.
    it("answers the 18 s late retry with a fresh rotation and keeps the session", async () => {
      const { db, refreshSession, original, ctx, clock, revocations } = setup();
      const lost = await refreshSession("secret-A", ctx); // committed; the client never saw it
      clock.advanceSeconds(18);

      const retried = await refreshSession("secret-A", ctx);

      expect(retried.sessionId).toBe(original.familyId);
      const reissued = db.tokenByHash(FakeOpaqueTokens.hashOf(retried.refreshToken));
      expect(db.activeTokensOfFamily(original.familyId)).toEqual([reissued]);
      // The lost successor is retired unused, so it can never be the start of a retry itself.
      expect(db.tokenByHash(FakeOpaqueTokens.hashOf(lost.refreshToken))).toMatchObject({
        revokedReason: "rotated",
        lastUsedAt: null,
        replacedBy: reissued?.id,
      });
      expect(revocations.revokeCalls).toEqual([]);
      expect(db.auditEntries().at(-1)?.details).toEqual({
        session_id: original.familyId,
        grace_reissue: true,
        late_retry: true,
      });
      clock.advanceSeconds(60);
      await expect(refreshSession(retried.refreshToken, ctx)).resolves.toMatchObject({ sessionId: original.familyId });
    });

    it("still ends the family when the owner refreshes after a thief's late replay", async () => {
      const { db, refreshSession, original, ctx, clock, revocations } = setup();
      const owner = await refreshSession("secret-A", ctx);
      clock.advanceSeconds(120);
      await refreshSession("secret-A", ctx); // the stolen old token, before the owner's next refresh
      clock.advanceSeconds(120);

      const error = await caught(() => refreshSession(owner.refreshToken, ctx));

      expect(error).toMatchObject({ code: "REFRESH_TOKEN_REVOKED" });
      expect(db.activeTokensOfFamily(original.familyId)).toEqual([]);
      expect(revocations.revokeCalls).toEqual([[original.familyId]]);
    });
  });

  describe("absolute session lifetime", () => {
    // Regression: a session refreshed regularly never ended, each rotation granting a fresh
    // refresh lifetime, so a stolen refresh token kept a session alive forever.
    it("caps successors at the session's end and refuses the token once it is reached", async () => {
      const { db, refreshSession, original, ctx, clock } = setup();
      const step = 20 * 3_600; // refreshed every 20 hours, well within the idle timeout
      const end = original.sessionExpiresAt.getTime();
      let token = "secret-A";
      while (clock.now().getTime() + step * 1000 < end) {
        clock.advanceSeconds(step);
        const tokens = await refreshSession(token, ctx);
        token = tokens.refreshToken;
        const successor = db.tokenByHash(FakeOpaqueTokens.hashOf(token));
        expect(successor?.sessionExpiresAt).toEqual(original.sessionExpiresAt);
        expect(successor?.expiresAt.getTime()).toBeLessThanOrEqual(end);
        const left = Math.floor((end - clock.now().getTime()) / 1000);
        expect(tokens.refreshExpiresIn).toBe(Math.min(REFRESH_POLICY.ttlSeconds, left));
      }
      clock.set(original.sessionExpiresAt);
      const error = await caught(() => refreshSession(token, ctx));
      expect(error).toMatchObject({ code: "REFRESH_TOKEN_EXPIRED" });
      expect(db.activeTokensOfFamily(original.familyId)).toHaveLength(1);
    });

    it("refuses a grace re-issue past the session's end", async () => {
      const { db, refreshSession, user, ctx, clock } = setup();
      const original = db.seedRefreshToken({
        userId: user.id,
        tokenHash: FakeOpaqueTokens.hashOf("secret-B"),
        sessionExpiresAt: new Date(clock.now().getTime() + 2000),
      });
      const first = await refreshSession("secret-B", ctx);
      expect(first.refreshExpiresIn).toBe(2);
      clock.advanceSeconds(3); // within the grace window, past the session's end
      const error = await caught(() => refreshSession("secret-B", ctx));
      expect(error).toMatchObject({ code: "REFRESH_TOKEN_EXPIRED" });
      expect(db.tokensOfFamily(original.familyId)).toHaveLength(2);
    });

    it("keeps the idle timeout: a token unused for its lifetime expires before the session does", async () => {
      const { refreshSession, original, ctx, clock } = setup();
      const first = await refreshSession("secret-A", ctx);
      clock.advanceSeconds(REFRESH_POLICY.ttlSeconds);
      expect(clock.now().getTime()).toBeLessThan(original.sessionExpiresAt.getTime());
      const error = await caught(() => refreshSession(first.refreshToken, ctx));
      expect(error).toMatchObject({ code: "REFRESH_TOKEN_EXPIRED" });
    });
  });

  describe("refusals that change nothing", () => {
    it("an unknown token fails with REFRESH_TOKEN_INVALID", async () => {
      const { db, refreshSession, ctx, revocations } = setup();
      const error = await caught(() => refreshSession("never-issued", ctx));
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: "REFRESH_TOKEN_INVALID" });
      expect(db.auditEntries()).toEqual([]);
      expect(revocations.revokeCalls).toEqual([]);
    });

    it("an expired token fails with REFRESH_TOKEN_EXPIRED", async () => {
      const { db, refreshSession, ctx, clock, original, revocations } = setup();
      clock.set(original.expiresAt);
      const error = await caught(() => refreshSession("secret-A", ctx));
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: "REFRESH_TOKEN_EXPIRED" });
      expect(db.allRefreshTokens()).toEqual([original]);
      expect(revocations.revokeCalls).toEqual([]);
    });

    it("a token one millisecond before expiry still rotates", async () => {
      const { refreshSession, ctx, clock, original } = setup();
      clock.set(new Date(original.expiresAt.getTime() - 1));
      await expect(refreshSession("secret-A", ctx)).resolves.toMatchObject({ sessionId: original.familyId });
    });

    it("a token revoked by logout fails with REFRESH_TOKEN_REVOKED, even within the grace window", async () => {
      const { db, refreshSession, ctx, clock, original, revocations } = setup();
      await db.refreshTokens.revokeFamily(original.familyId, "logout", clock.now());
      const before = db.allRefreshTokens();
      const error = await caught(() => refreshSession("secret-A", ctx));
      expect(error).toMatchObject({ code: "REFRESH_TOKEN_REVOKED" });
      expect(db.allRefreshTokens()).toEqual(before);
      expect(db.auditEntries()).toEqual([]);
      expect(revocations.revokeCalls).toEqual([]);
    });
  });

  describe("account no longer active", () => {
    it.each([
      ["suspended", "ACCOUNT_SUSPENDED"],
      ["deactivated", "ACCOUNT_DEACTIVATED"],
      ["pending_verification", "ACCOUNT_NOT_VERIFIED"],
      ["pending_approval", "ACCOUNT_PENDING_APPROVAL"],
    ] as const)("%s: fails with %s and ends the family", async (status, code) => {
      const { db, refreshSession, ctx, original, user, revocations, clock, accessTokens } = setup();
      db.updateUser(user.id, { status });
      const error = await caught(() => refreshSession("secret-A", ctx));
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code });
      expect(find(db, original.id)).toMatchObject({ revokedReason: "account_inactive", revokedAt: clock.now() });
      expect(db.activeTokensOfFamily(original.familyId)).toEqual([]);
      expect(db.transactions).toEqual([]); // decided and written by the repository's one atomic step
      expect(revocations.revokeCalls).toEqual([[original.familyId]]);
      expect(accessTokens.issued).toEqual([]);
    });

    it("a deleted account: fails with REFRESH_TOKEN_REVOKED and ends the family", async () => {
      const { db, refreshSession, ctx, original, user, revocations } = setup();
      db.updateUser(user.id, { deletedAt: new Date("2024-01-01T00:00:00Z") });
      const error = await caught(() => refreshSession("secret-A", ctx));
      expect(error).toMatchObject({ code: "REFRESH_TOKEN_REVOKED" });
      expect(find(db, original.id)?.revokedReason).toBe("account_inactive");
      expect(revocations.revokeCalls).toEqual([[original.familyId]]);
    });

    it("also ends the family on a grace re-issue", async () => {
      const { db, refreshSession, ctx, original, user, clock, revocations } = setup();
      await refreshSession("secret-A", ctx);
      db.updateUser(user.id, { status: "suspended" });
      clock.advanceSeconds(1);
      const error = await caught(() => refreshSession("secret-A", ctx));
      expect(error).toMatchObject({ code: "ACCOUNT_SUSPENDED" });
      expect(db.activeTokensOfFamily(original.familyId)).toEqual([]);
      expect(revocations.revokedSids()).toEqual([original.familyId]);
    });
  });
});
