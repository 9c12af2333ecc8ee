import type { AuditEntry } from "../audit/audit-entry.js";
import type { ActiveSession, NewRefreshToken, RefreshToken, RevocationReason } from "../token/refresh-token.js";
import type { AccountStatus } from "../user/account-status.js";

/** What a successor token needs beyond what it inherits from its parent. */
export interface RotatedTokenInput {
  readonly tokenHash: string;
  readonly expiresAt: Date;
  readonly userAgent: string | null;
  readonly ipAddress: string | null;
}

/** One presentation of a refresh token to `present`. */
export interface RefreshTokenPresentation {
  readonly tokenHash: string;
  /** The successor to store on `rotate`/`grace`/`retry`; its `expiresAt` is capped at the session's end. */
  readonly next: RotatedTokenInput & { readonly id: string };
  readonly now: Date;
  readonly graceSeconds: number;
  /** Where the request came from: the origin of the audit entry `present` writes. */
  readonly origin: Pick<AuditEntry, "ipAddress" | "userAgent" | "requestId" | "durationMs" | "timestamp">;
}

/**
 * What `present` did. `rotate`/`grace`/`retry`: the successor is stored (`expiresAt` is its
 * end) and `auth.refresh` audited; a re-issue (`grace`, `retry`) retires the family's current
 * token without marking it used, so it never counts as presented (`pendingSuccessorOf`). `reuse`: the family is revoked and `auth.refresh_reuse_detected`
 * audited. `inactive`: the owner is missing or not active (`userStatus`, null when missing);
 * the family is revoked (`account_inactive`). `expired`, `revoked` (also: the family ended
 * meanwhile), `invalid`: nothing changed.
 */
export type RefreshTokenPresentationResult =
  | { readonly verdict: "invalid" }
  | {
      readonly verdict: "expired" | "revoked" | "reuse";
      readonly familyId: string;
      readonly userId: string;
    }
  | {
      readonly verdict: "inactive";
      readonly familyId: string;
      readonly userId: string;
      readonly userStatus: AccountStatus | null;
    }
  | {
      readonly verdict: "rotate" | "grace" | "retry";
      readonly familyId: string;
      readonly userId: string;
      readonly expiresAt: Date;
    };

/**
 * Persistence of refresh tokens. Every change to a family happens while the family is
 * locked (see `lockFamilyOf`), so rotation cannot fork a family; a store-level constraint
 * also keeps at most one active token per family.
 */
export interface RefreshTokenRepository {
  /**
   * The whole refresh decision as one atomic step, outside any unit of work: locks the family,
   * judges the presented token as `judgePresentedToken` does (a grace or retry re-issue
   * retires the family's current token; neither passes the session's end), checks that the owner is
   * active, then rotates or ends the family and writes the audit entry. One round trip on
   * PostgreSQL (a function shipped in a migration).
   */
  present(presentation: RefreshTokenPresentation): Promise<RefreshTokenPresentationResult>;
  /**
   * Finds the token stored under `tokenHash` and locks its family until the surrounding
   * unit of work ends; other callers touching the same family wait. Undefined when no such
   * token exists.
   */
  lockFamilyOf(tokenHash: string): Promise<RefreshToken | undefined>;
  /** The family's one active (not revoked) token, if any. Call after `lockFamilyOf`. */
  findActiveInFamily(familyId: string): Promise<RefreshToken | undefined>;
  /** Stores a new token and returns it with its id (and family id, when it starts one). */
  insert(token: NewRefreshToken): Promise<RefreshToken>;
  /**
   * Retires `current` (reason `rotated`) and stores its successor in the same family, with
   * `current` as parent and `current`'s session end. Returns the successor. Call after `lockFamilyOf`.
   */
  rotate(current: RefreshToken, next: RotatedTokenInput, at: Date): Promise<RefreshToken>;
  /**
   * Locks the family (waiting for any rotation in progress) and revokes its active tokens, so a
   * concurrent rotation cannot leave a live successor behind. Returns how many were active.
   */
  revokeFamily(familyId: string, reason: RevocationReason, at: Date): Promise<number>;
  /**
   * Like `revokeFamily` for every family of the user, except `keepFamilyId` when given (the
   * caller's own session); returns the affected family ids.
   */
  revokeAllForUser(userId: string, reason: RevocationReason, at: Date, keepFamilyId?: string): Promise<string[]>;
  /** The user's sessions with an active, unexpired token at `now`, most recently used first. */
  listActiveSessions(userId: string, now: Date): Promise<ActiveSession[]>;
  /**
   * Families ended (for any reason but rotation) at or after `since`: the sessions whose
   * access tokens may still be unexpired. Used to rebuild the revocation list at start.
   */
  familiesRevokedSince(since: Date): Promise<string[]>;
}
