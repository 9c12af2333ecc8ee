import type { KeycloakTokenSet } from "./keycloak-sign-in.js";
import type { TransactionalRepositories } from "./unit-of-work.js";

/**
 * What Keycloak must learn about a user, queued in the same transaction as the local write that
 * causes it (README "Keycloak", the sync outbox), so a crash or a Keycloak outage between the two
 * writes leaves a row to retry instead of one side without the other.
 * - `push`: write the local row's current state (create the account when unlinked) and, when it
 *   carries one, the new password; later changes of the same user coalesce into the one queued push.
 * - `delete`: remove the account (found by `gatehouse_id` when the row never learnt its id).
 * - `logout_session`: log out the Keycloak session of an ended Gatehouse session with its stored
 *   refresh token (carried sealed, as a push carries a password).
 */
export type KeycloakSyncOperation = "push" | "delete" | "logout_session";

/** The transaction's side of the outbox: every method writes in the caller's unit of work. */
export interface KeycloakSyncOutbox {
  /**
   * Queues a push of the user's row, with a new password when given (sealed at rest, never in
   * plaintext). When a push is queued already it takes the new password (if any), is due again
   * at once and gets a new id, so a sync still applying the older state cannot retire it.
   */
  push(userId: string, password?: string): Promise<void>;
  /**
   * Queues the removal of the user's account and drops the user's other queued operations
   * (nothing else is worth applying to an account about to go).
   */
  remove(userId: string, keycloakId: string | null): Promise<void>;
  /**
   * Keeps the Keycloak session a password-grant sign-in opened for the new Gatehouse session
   * (refresh-token family `familyId`): its refresh token sealed at rest, never handed to a client.
   */
  holdSession(familyId: string, userId: string, tokens: KeycloakTokenSet): Promise<void>;
  /**
   * The Gatehouse sessions `familyIds` ended: their held Keycloak sessions are dropped and a
   * `logout_session` is queued for each, in this transaction. Answers how many were queued.
   */
  endSessions(familyIds: readonly string[]): Promise<number>;
}

/** A Keycloak session held for a Gatehouse session, unsealed for the refresh that reads it. */
export interface HeldKeycloakSession {
  readonly familyId: string;
  readonly userId: string;
  readonly refreshToken: string;
  /** When Keycloak's access token lapses: the next Gatehouse refresh past it (less the buffer) asks Keycloak. */
  readonly accessExpiresAt: Date;
}

/** The held Keycloak sessions outside any transaction (the refresh path). */
export interface KeycloakSessionStore {
  find(familyId: string): Promise<HeldKeycloakSession | undefined>;
  /** Stores the refresh grant's new refresh token and expiry (Keycloak rotates refresh tokens). */
  renew(familyId: string, tokens: KeycloakTokenSet): Promise<void>;
  /** Drops a session Keycloak ended itself (nothing left to log out). */
  forget(familyId: string): Promise<void>;
}

/** A transaction's repositories plus the Keycloak sync outbox bound to it (IDENTITY_BACKEND=keycloak). */
export type KeycloakSyncRepositories = TransactionalRepositories & { readonly keycloakSync: KeycloakSyncOutbox };

/** One queued operation handed to one sync run; `attempt` counts this try (1 for the first). */
export interface ClaimedKeycloakSync {
  readonly id: string;
  readonly operation: KeycloakSyncOperation;
  readonly userId: string | null;
  readonly keycloakId: string | null;
  readonly attempt: number;
  /** The unsealed secret: the new password a push carries, the refresh token of a `logout_session`. */
  readonly password: string | null;
}

/**
 * The sync's side of the outbox. A claim is a lease (like the mail queue's): claimed rows stay
 * queued but are not due until the lease ends, so no transaction stays open while Keycloak
 * answers; an outcome is recorded only when the row still carries the claim's id and attempt,
 * so a stale claim never retires a newer change.
 */
export interface KeycloakSyncQueue {
  /** Atomically claims up to `limit` due operations (oldest first; concurrent runs never share one). */
  claimDue(now: Date, limit: number, leaseUntil: Date): Promise<ClaimedKeycloakSync[]>;
  /**
   * Retires a claimed operation (its password with it) and, when nothing else is queued for the
   * user, marks the user `synced`, in one transaction.
   */
  complete(claim: ClaimedKeycloakSync): Promise<void>;
  /** Records a failed attempt; the operation is due again at `retryAt`. */
  scheduleRetry(claim: ClaimedKeycloakSync, retryAt: Date, error: string): Promise<void>;
  /** Gives up on a claimed operation (password dropped) and marks the user `failed`, in one transaction. */
  giveUp(claim: ClaimedKeycloakSync, error: string): Promise<void>;
  /** How many operations are queued (due or leased), for readiness and tests. */
  queued(): Promise<number>;
}
