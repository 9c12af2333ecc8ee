import { describe, expect, it } from "vitest";
import { judgePresentedToken, type RefreshToken, type RevocationReason } from "./refresh-token.js";

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
