/**
 * Why a refresh token stopped being usable. `rotated` is the normal end of a token's life;
 * every other reason also ends its session (the family).
 */
export type RevocationReason =
  | "rotated"
  | "logout"
  | "logout_all"
  | "reuse_detected"
  | "account_inactive"
  | "expired"
  | "password_changed"
  | "password_reset"
  | "admin";

/**
 * One refresh token. Tokens of one login form a family (`familyId`, which is also the
 * session id `sid` in access tokens); rotation retires a token and adds its successor.
 * Only the token's hash is ever stored.
 */
export interface RefreshToken {
  readonly id: string;
  readonly userId: string;
  readonly familyId: string;
  readonly parentId: string | null;
  readonly tokenHash: string;
  readonly expiresAt: Date;
  /**
   * The session's absolute end, fixed at login and inherited by every successor: rotation
   * never moves it, so a session refreshed regularly still ends. `expiresAt` never exceeds it.
   */
  readonly sessionExpiresAt: Date;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
  readonly revokedReason: RevocationReason | null;
  readonly replacedBy: string | null;
  readonly userAgent: string | null;
  readonly ipAddress: string | null;
}

/**
 * A session as its owner sees it. `id` is the family id (the `sid` of its access tokens);
 * `lastUsedAt` is its last refresh (or its start): access-token use is not written anywhere,
 * so authenticated requests stay free of database writes.
 */
export interface ActiveSession {
  readonly id: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date;
  readonly userAgent: string | null;
  readonly ipAddress: string | null;
}

export interface NewRefreshToken {
  readonly userId: string;
  /** Omit to start a new family (a new login); the repository then uses the token's own id. */
  readonly familyId?: string;
  readonly parentId: string | null;
  readonly tokenHash: string;
  readonly expiresAt: Date;
  /** The session's absolute end: set at login, copied by the repository on rotation. */
  readonly sessionExpiresAt: Date;
  readonly userAgent: string | null;
  readonly ipAddress: string | null;
}

/**
 * What presenting `token` at `now` means:
 * - `rotate`: it is the family's active token; replace it.
 * - `grace`: it was rotated moments ago (a lost response, two tabs racing); hand out a fresh
 *   token for the same family instead of treating it as theft.
 * - `reuse`: it was rotated long ago; someone replayed it, so the family must die.
 * - `expired`, `revoked`: refuse. An active token past its idle end (`expiresAt`) or its
 *   session's absolute end (`sessionExpiresAt`) is `expired`.
 */
export type PresentedTokenVerdict = "rotate" | "grace" | "reuse" | "expired" | "revoked";

export function judgePresentedToken(token: RefreshToken, now: Date, graceSeconds: number): PresentedTokenVerdict {
  if (token.revokedAt === null) {
    const end = Math.min(token.expiresAt.getTime(), token.sessionExpiresAt.getTime());
    return end <= now.getTime() ? "expired" : "rotate";
  }
  if (token.revokedReason !== "rotated") return "revoked";
  const retiredForMs = now.getTime() - token.revokedAt.getTime();
  return retiredForMs <= graceSeconds * 1000 ? "grace" : "reuse";
}
