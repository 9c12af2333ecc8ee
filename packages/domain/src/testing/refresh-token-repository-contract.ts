import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RefreshToken } from "../token/refresh-token.js";
import { type User, UserChanges } from "../user/user.js";
import { type ContractHarness, newUserInput, type OpenHarness } from "./harness.js";

const HOUR = 3_600_000;

/** A 64-hex-digit stand-in for a token hash, unique within the run. */
function tokenHash(): string {
  let hex = "";
  while (hex.length < 64)
    hex += Math.floor(Math.random() * 0x100000000)
      .toString(16)
      .padStart(8, "0");
  return hex.slice(0, 64);
}

/** A random id in UUID form (version 4 bits set), for successors the adapter stores by id. */
function uuidLike(): string {
  const hex = tokenHash();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const successor = () => ({
  tokenHash: tokenHash(),
  expiresAt: new Date(Date.now() + HOUR),
  userAgent: null,
  ipAddress: null,
});

/**
 * The `RefreshTokenRepository` contract at the port: families, rotation, revocation, the
 * one-active-token rule. Lock waits and races stay with the Drizzle adapter's own tests.
 */
export function refreshTokenRepositoryContract(name: string, open: OpenHarness): void {
  describe(`RefreshTokenRepository contract on ${name}`, () => {
    let harness: ContractHarness;
    let user: User;
    beforeAll(async () => {
      harness = await open();
      user = await harness.repos.users.create(newUserInput(), ["user"]);
    });
    afterAll(async () => {
      await harness.close();
    });
    const tokens = () => harness.repos.refreshTokens;
    const startFamily = (userAgent: string | null = "vitest"): Promise<RefreshToken> =>
      tokens().insert({
        userId: user.id,
        parentId: null,
        tokenHash: tokenHash(),
        expiresAt: new Date(Date.now() + HOUR),
        sessionExpiresAt: new Date(Date.now() + 2 * HOUR),
        userAgent,
        ipAddress: "127.0.0.1",
      });
    const rotate = (token: RefreshToken, at = new Date()) =>
      harness.uow.run(async (tx) => {
        await tx.refreshTokens.lockFamilyOf(token.tokenHash);
        return tx.refreshTokens.rotate(token, successor(), at);
      });

    it("starts a family whose id is the first token's id", async () => {
      const token = await startFamily();
      expect(token).toMatchObject({ familyId: token.id, parentId: null, revokedAt: null, ipAddress: "127.0.0.1" });
      expect((await tokens().lockFamilyOf(token.tokenHash))?.id).toBe(token.id);
      expect(await tokens().lockFamilyOf(tokenHash())).toBeUndefined();
    });

    it("rotates: retires the current token and links its successor", async () => {
      const token = await startFamily();
      const next = await rotate(token);
      expect(next).toMatchObject({ familyId: token.familyId, parentId: token.id, revokedAt: null });
      expect(next.sessionExpiresAt).toEqual(token.sessionExpiresAt); // rotation never extends a session
      const retired = await tokens().lockFamilyOf(token.tokenHash);
      expect(retired).toMatchObject({ revokedReason: "rotated", replacedBy: next.id });
      expect((await tokens().findActiveInFamily(token.familyId))?.id).toBe(next.id);
    });

    it("refuses to rotate a token that is no longer active", async () => {
      const token = await startFamily();
      await tokens().revokeFamily(token.familyId, "logout", new Date());
      await expect(tokens().rotate(token, successor(), new Date())).rejects.toThrow();
    });

    const origin = {
      ipAddress: "192.0.2.7",
      userAgent: "contract",
      requestId: "req-1",
      durationMs: 1,
      timestamp: new Date(),
    };
    const present = (tokenHashValue: string, now = new Date(), graceSeconds = 10, next = successor()) =>
      tokens().present({
        tokenHash: tokenHashValue,
        next: { id: uuidLike(), ...next },
        now,
        graceSeconds,
        origin,
      });
    /** Presents `tokenHashValue` at `now`; answers the verdict and the successor's hash. */
    const presentKeeping = async (tokenHashValue: string, now = new Date()) => {
      const next = successor();
      const result = await present(tokenHashValue, now, 10, next);
      return { verdict: result.verdict, next: next.tokenHash };
    };
    const later = (ms: number) => new Date(Date.now() + ms);

    it("present: rotates the active token, then re-issues within the grace window, keeping one active token", async () => {
      const token = await startFamily();
      const rotated = await present(token.tokenHash);
      expect(rotated).toMatchObject({ verdict: "rotate", familyId: token.familyId, userId: user.id });
      const again = await present(token.tokenHash);
      expect(again).toMatchObject({ verdict: "grace", familyId: token.familyId });
      const active = await tokens().findActiveInFamily(token.familyId);
      expect(active?.parentId).not.toBe(token.id); // the first successor was retired by the re-issue
      expect(active?.sessionExpiresAt).toEqual(token.sessionExpiresAt);
    });

    it("present: a replay after the grace window, once the successor was used, ends the family", async () => {
      const token = await startFamily();
      const { next } = await presentKeeping(token.tokenHash);
      expect((await presentKeeping(next, later(1_000))).verdict).toBe("rotate"); // the owner used its successor
      const replay = await present(token.tokenHash, later(11_000));
      expect(replay).toMatchObject({ verdict: "reuse", familyId: token.familyId });
      expect(await tokens().findActiveInFamily(token.familyId)).toBeUndefined();
      expect(await tokens().familiesRevokedSince(new Date(Date.now() - HOUR))).toContain(token.familyId);
    });

    // Regression: the first refresh committed but its client got a 503; the retry reached the
    // database 18 s later, past the 10 s grace window, and the whole session was revoked as a replay.
    it("present: a retry 18 s after a rotation whose answer was lost is re-issued, not judged a replay", async () => {
      const token = await startFamily();
      const lost = await presentKeeping(token.tokenHash); // committed; the client never saw `lost.next`
      const retry = await presentKeeping(token.tokenHash, later(18_000));
      expect(retry.verdict).toBe("retry");
      const active = await tokens().findActiveInFamily(token.familyId);
      expect(active?.tokenHash).toBe(retry.next);
      expect(await tokens().lockFamilyOf(lost.next)).toMatchObject({ revokedReason: "rotated", lastUsedAt: null });
      // A second lost answer, retried even later, is still a retry; the re-issued token then works.
      const again = await presentKeeping(token.tokenHash, later(40_000));
      expect(again.verdict).toBe("retry");
      expect((await presentKeeping(again.next, later(41_000))).verdict).toBe("rotate");
      expect(await tokens().familiesRevokedSince(new Date(Date.now() - HOUR))).not.toContain(token.familyId);
    });

    it("present: a thief replaying before the owner's next refresh is caught at that refresh", async () => {
      const token = await startFamily();
      const owner = await presentKeeping(token.tokenHash); // the owner holds owner.next, not yet used
      const thief = await presentKeeping(token.tokenHash, later(60_000)); // the stolen old token
      expect(thief.verdict).toBe("retry");
      // The owner's successor was retired unpresented by the thief's re-issue: never eligible itself.
      expect((await presentKeeping(owner.next, later(120_000))).verdict).toBe("reuse");
      expect(await tokens().findActiveInFamily(token.familyId)).toBeUndefined();
      expect((await presentKeeping(thief.next, later(121_000))).verdict).toBe("revoked");
    });

    it("present: no retry for an expired successor or a token retired by a re-issue", async () => {
      const token = await startFamily();
      const lost = await presentKeeping(token.tokenHash);
      await presentKeeping(token.tokenHash, later(1_000)); // grace re-issue: `lost.next` retired unpresented
      expect((await presentKeeping(lost.next, later(20_000))).verdict).toBe("reuse");
      const idle = await startFamily();
      await present(idle.tokenHash);
      expect(await present(idle.tokenHash, later(HOUR + 1_000))).toMatchObject({ verdict: "reuse" });
    });

    it("present: unknown, logged out and expired tokens change nothing", async () => {
      expect(await present(tokenHash())).toEqual({ verdict: "invalid" });
      const loggedOut = await startFamily();
      await tokens().revokeFamily(loggedOut.familyId, "logout", new Date());
      expect(await present(loggedOut.tokenHash)).toMatchObject({ verdict: "revoked" });
      const idle = await startFamily();
      expect(await present(idle.tokenHash, new Date(Date.now() + HOUR + 1000))).toMatchObject({ verdict: "expired" });
      expect((await tokens().findActiveInFamily(idle.familyId))?.id).toBe(idle.id);
    });

    it("present: caps the successor at the session's end and refuses a token past it", async () => {
      const sessionExpiresAt = new Date(Date.now() + HOUR / 2); // before the successor's idle end
      const token = await tokens().insert({ ...successor(), userId: user.id, parentId: null, sessionExpiresAt });
      const result = await present(token.tokenHash);
      expect(result.verdict === "rotate" && result.expiresAt.getTime()).toBe(sessionExpiresAt.getTime());
      const active = await tokens().findActiveInFamily(token.familyId);
      if (active === undefined) throw new Error("no successor");
      expect(active).toMatchObject({ sessionExpiresAt, expiresAt: sessionExpiresAt });
      expect(await present(active.tokenHash, sessionExpiresAt)).toMatchObject({ verdict: "expired" });
    });

    it("present: a missing or inactive owner ends the family", async () => {
      const owner = await harness.repos.users.create(newUserInput(), ["user"]);
      const token = await tokens().insert({
        ...successor(),
        userId: owner.id,
        parentId: null,
        sessionExpiresAt: new Date(Date.now() + 2 * HOUR),
      });
      const at = new Date();
      await harness.repos.users.update(owner.id, UserChanges.status("suspended", "contract", at), at);
      expect(await present(token.tokenHash)).toMatchObject({ verdict: "inactive", userStatus: "suspended" });
      expect(await tokens().findActiveInFamily(token.familyId)).toBeUndefined();
    });

    it("never lets a family hold two active tokens", async () => {
      const token = await startFamily();
      await expect(
        tokens().insert({
          ...successor(),
          userId: user.id,
          familyId: token.familyId,
          parentId: token.id,
          sessionExpiresAt: token.sessionExpiresAt,
        }),
      ).rejects.toThrow();
    });

    it("revokes one family and answers how many tokens it ended", async () => {
      const token = await startFamily();
      expect(await tokens().revokeFamily(token.familyId, "logout", new Date())).toBe(1);
      expect(await tokens().revokeFamily(token.familyId, "logout", new Date())).toBe(0);
      expect((await tokens().lockFamilyOf(token.tokenHash))?.revokedReason).toBe("logout");
    });

    it("revokes all of a user's families but the kept one, and lists them as recently revoked", async () => {
      const at = new Date(Date.now() + 1000);
      const kept = await startFamily();
      const a = await startFamily();
      const b = await startFamily();
      const ended = await tokens().revokeAllForUser(user.id, "password_changed", at, kept.familyId);
      expect(ended).toEqual(expect.arrayContaining([a.familyId, b.familyId]));
      expect(ended).not.toContain(kept.familyId);
      expect(await tokens().findActiveInFamily(a.familyId)).toBeUndefined();
      expect((await tokens().findActiveInFamily(kept.familyId))?.id).toBe(kept.id);
      expect(await tokens().familiesRevokedSince(at)).toEqual(expect.arrayContaining([a.familyId, b.familyId]));
    });

    it("does not list families whose tokens were only rotated", async () => {
      const since = new Date(Date.now() + 2000);
      const token = await startFamily();
      await rotate(token, since);
      expect(await tokens().familiesRevokedSince(since)).not.toContain(token.familyId);
    });

    it("lists a user's live sessions, one per family, newest first", async () => {
      const other = await harness.repos.users.create(newUserInput(), ["user"]);
      const session = { userId: other.id, parentId: null, sessionExpiresAt: new Date(Date.now() + 2 * HOUR) };
      const first = await tokens().insert({ ...successor(), ...session, userAgent: "first" });
      const second = await tokens().insert({ ...successor(), ...session, userAgent: "second" });
      await rotate(first);
      const sessions = await tokens().listActiveSessions(other.id, new Date());
      expect(sessions.map((session) => session.id).sort()).toEqual([first.familyId, second.familyId].sort());
      expect(sessions.find((session) => session.id === first.familyId)?.userAgent).toBeNull();
      await tokens().revokeFamily(second.familyId, "logout", new Date());
      expect((await tokens().listActiveSessions(other.id, new Date())).map((session) => session.id)).toEqual([
        first.familyId,
      ]);
    });
  });
}
