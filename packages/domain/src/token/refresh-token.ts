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
  | "admin"
  /** The Keycloak session behind it was ended in Keycloak (seen on a refresh). */
  | "identity_backend_ended";

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
 * - `retry`: it was rotated longer ago, but the successor its rotation made never reached
 *   anyone (see `pendingSuccessorOf`): the client is retrying a refresh whose answer it never
 *   got (a 503 after the commit, a lost response, an outage longer than the grace window).
 *   Re-issue like `grace`.
 * - `reuse`: it was rotated long ago and its successor was used since; someone replayed it,
 *   so the family must die.
 * - `expired`, `revoked`: refuse. An active token past its idle end (`expiresAt`) or its
 *   session's absolute end (`sessionExpiresAt`) is `expired`.
 */
export type PresentedTokenVerdict = "rotate" | "grace" | "retry" | "reuse" | "expired" | "revoked";

/** Past its idle end (`expiresAt`) or its session's absolute end (`sessionExpiresAt`). */
function isPastEnd(token: RefreshToken, now: Date): boolean {
  return Math.min(token.expiresAt.getTime(), token.sessionExpiresAt.getTime()) <= now.getTime();
}

/** Looks a token up by id (a `replacedBy` link), within the presented token's family. */
export type TokenById = (id: string) => RefreshToken | undefined;

/** A re-issue chain longer than this is not a client retrying: judge the token a replay. */
export const MAX_RETRY_CHAIN = 16;

/**
 * The family's active token when it descends from `token` through re-issues only, and so was
 * never presented by anyone; undefined otherwise. `token` must itself have been presented
 * (`lastUsedAt` set: a rotation by its own refresh, not retired by a re-issue), each link after
 * it retired by a re-issue without being presented (`lastUsedAt` null), the last one active
 * and unexpired.
 *
 * Why this is safe: the owner who has used the successor has presented it, so a thief
 * replaying the old token afterwards still meets a presented link and is judged `reuse`. A
 * thief who replays before the owner's next refresh gets a re-issue, but that retires the
 * owner's unpresented successor; the owner's next refresh then presents a token that was never
 * presented and is past the grace window, which is `reuse` and ends the family. Detection
 * moves to the owner's next refresh; it is never lost. A token retired by a re-issue is
 * never eligible itself, so two holders cannot take turns re-issuing each other's tokens.
 */
export function pendingSuccessorOf(token: RefreshToken, byId: TokenById, now: Date): RefreshToken | undefined {
  if (token.revokedReason !== "rotated" || token.lastUsedAt === null) return undefined;
  let link = token.replacedBy === null ? undefined : byId(token.replacedBy);
  for (let hops = 0; link !== undefined && hops < MAX_RETRY_CHAIN; hops++) {
    if (link.familyId !== token.familyId || link.lastUsedAt !== null) return undefined;
    if (link.revokedAt === null) {
      return isPastEnd(link, now) ? undefined : link;
    }
    if (link.revokedReason !== "rotated" || link.replacedBy === null) return undefined;
    link = byId(link.replacedBy);
  }
  return undefined;
}

export function judgePresentedToken(
  token: RefreshToken,
  now: Date,
  graceSeconds: number,
  byId: TokenById = () => undefined,
): PresentedTokenVerdict {
  if (token.revokedAt === null) {
    return isPastEnd(token, now) ? "expired" : "rotate";
  }
  if (token.revokedReason !== "rotated") return "revoked";
  const retiredForMs = now.getTime() - token.revokedAt.getTime();
  if (retiredForMs <= graceSeconds * 1000) return "grace";
  return pendingSuccessorOf(token, byId, now) === undefined ? "reuse" : "retry";
}
