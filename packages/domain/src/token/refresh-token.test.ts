import { describe, expect, it } from "vitest";
import {
  judgePresentedToken,
  MAX_RETRY_CHAIN,
  pendingSuccessorOf,
  type RefreshToken,
  type RevocationReason,
} from "./refresh-token.js";

const NOW = new Date("2024-06-01T12:00:00.000Z");
const GRACE_SECONDS = 10;

function at(offsetMs: number): Date {
  return new Date(NOW.getTime() + offsetMs);
}

function token(overrides: Partial<RefreshToken> = {}): RefreshToken {
  return {
    id: "t1",
    userId: "u1",
    familyId: "f1",
    parentId: null,
    tokenHash: "h1",
    expiresAt: at(3_600_000),
    sessionExpiresAt: at(86_400_000),
    createdAt: at(-3_600_000),
    lastUsedAt: null,
    revokedAt: null,
    revokedReason: null,
    replacedBy: null,
    userAgent: null,
    ipAddress: null,
    ...overrides,
  };
}

function rotatedAgo(ms: number, overrides: Partial<RefreshToken> = {}): RefreshToken {
  return token({ revokedAt: at(-ms), revokedReason: "rotated", replacedBy: "t2", ...overrides });
}

describe("judgePresentedToken", () => {
  it("rotates the active, unexpired token", () => {
    expect(judgePresentedToken(token(), NOW, GRACE_SECONDS)).toBe("rotate");
  });

  // Regression: a session refreshed regularly never ended; each rotation granted a fresh
  // lifetime. The absolute end refuses the token even while its idle lifetime has time left.
  it("calls an active token expired once its session's absolute lifetime is over", () => {
    const capped = token({ expiresAt: at(3_600_000), sessionExpiresAt: at(0) });
    expect(judgePresentedToken(capped, NOW, GRACE_SECONDS)).toBe("expired");
    expect(judgePresentedToken(token({ sessionExpiresAt: at(1) }), NOW, GRACE_SECONDS)).toBe("rotate");
  });

  it("rotates a token one millisecond before expiry", () => {
    expect(judgePresentedToken(token({ expiresAt: at(1) }), NOW, GRACE_SECONDS)).toBe("rotate");
  });

  it("calls an active token expired at the very instant of expiry", () => {
    expect(judgePresentedToken(token({ expiresAt: NOW }), NOW, GRACE_SECONDS)).toBe("expired");
  });

  it("calls an active token expired after its expiry", () => {
    expect(judgePresentedToken(token({ expiresAt: at(-1) }), NOW, GRACE_SECONDS)).toBe("expired");
  });

  it("grants grace to a token rotated just now", () => {
    expect(judgePresentedToken(rotatedAgo(0), NOW, GRACE_SECONDS)).toBe("grace");
  });

  it("grants grace exactly at the end of the grace window", () => {
    expect(judgePresentedToken(rotatedAgo(GRACE_SECONDS * 1000), NOW, GRACE_SECONDS)).toBe("grace");
  });

  it("calls it reuse one millisecond after the grace window", () => {
    expect(judgePresentedToken(rotatedAgo(GRACE_SECONDS * 1000 + 1), NOW, GRACE_SECONDS)).toBe("reuse");
  });

  it("calls it reuse long after rotation", () => {
    expect(judgePresentedToken(rotatedAgo(86_400_000), NOW, GRACE_SECONDS)).toBe("reuse");
  });

  it("with a zero grace window, only the same instant is grace", () => {
    expect(judgePresentedToken(rotatedAgo(0), NOW, 0)).toBe("grace");
    expect(judgePresentedToken(rotatedAgo(1), NOW, 0)).toBe("reuse");
  });

  it("judges a rotated token by its rotation, not its expiry", () => {
    expect(judgePresentedToken(rotatedAgo(86_400_000, { expiresAt: at(-1) }), NOW, GRACE_SECONDS)).toBe("reuse");
  });

  it.each([
    "logout",
    "logout_all",
    "reuse_detected",
    "account_inactive",
    "expired",
    "password_changed",
    "admin",
  ] satisfies RevocationReason[])("refuses a token revoked for %s, even within the grace window", (reason) => {
    const revoked = token({ revokedAt: NOW, revokedReason: reason });
    expect(judgePresentedToken(revoked, NOW, GRACE_SECONDS)).toBe("revoked");
    expect(judgePresentedToken({ ...revoked, revokedAt: at(-86_400_000) }, NOW, GRACE_SECONDS)).toBe("revoked");
  });
});

describe("judgePresentedToken: a retry recognised by its token chain", () => {
  const MINUTE = 60_000;
  /** The presented token, rotated by its own refresh `ms` ago, and a lookup over `others`. */
  function chain(ms: number, ...others: RefreshToken[]) {
    const presented = rotatedAgo(ms, { lastUsedAt: at(-ms) });
    const byId = (id: string) => others.find((candidate) => candidate.id === id);
    return { presented, byId };
  }
  const unused = token({ id: "t2", tokenHash: "h2", createdAt: at(-MINUTE) });

  // Regression: a retry reaching the database 18 s after the first attempt committed (its
  // answer lost to a 503) was judged a replay and the session revoked.
  it("judges the 18 s late retry of a token whose successor was never presented a retry", () => {
    const { presented, byId } = chain(18_000, unused);
    expect(judgePresentedToken(presented, NOW, GRACE_SECONDS, byId)).toBe("retry");
    expect(pendingSuccessorOf(presented, byId, NOW)).toBe(unused);
  });

  it("follows re-issues that nobody presented, up to the chain bound", () => {
    const links = Array.from({ length: MAX_RETRY_CHAIN }, (_, i) =>
      token({ id: `t${i + 2}`, revokedAt: at(-1000), revokedReason: "rotated", replacedBy: `t${i + 3}` }),
    );
    const last = token({ id: `t${MAX_RETRY_CHAIN + 1}` });
    const within = chain(MINUTE, ...links.slice(0, MAX_RETRY_CHAIN - 1), last);
    expect(judgePresentedToken(within.presented, NOW, GRACE_SECONDS, within.byId)).toBe("retry");
    const beyond = chain(MINUTE, ...links, token({ id: `t${MAX_RETRY_CHAIN + 2}` }));
    expect(judgePresentedToken(beyond.presented, NOW, GRACE_SECONDS, beyond.byId)).toBe("reuse");
  });

  it("judges a replay after the successor was presented reuse (the owner used it)", () => {
    const used = token({ id: "t2", revokedAt: at(-1000), revokedReason: "rotated", lastUsedAt: at(-1000) });
    const { presented, byId } = chain(MINUTE, used, token({ id: "t3" }));
    expect(judgePresentedToken(presented, NOW, GRACE_SECONDS, byId)).toBe("reuse");
  });

  it("never treats a token retired by a re-issue (never presented) as a retry", () => {
    const superseded = rotatedAgo(MINUTE, { lastUsedAt: null });
    expect(judgePresentedToken(superseded, NOW, GRACE_SECONDS, (id) => (id === "t2" ? unused : undefined))).toBe(
      "reuse",
    );
  });

  it("judges reuse when the successor has expired, left the family, or the family ended", () => {
    for (const successor of [
      token({ id: "t2", expiresAt: at(-1) }),
      token({ id: "t2", familyId: "f2" }),
      token({ id: "t2", revokedAt: at(-1000), revokedReason: "logout" }),
    ]) {
      const { presented, byId } = chain(MINUTE, successor);
      expect(judgePresentedToken(presented, NOW, GRACE_SECONDS, byId)).toBe("reuse");
    }
  });
});
