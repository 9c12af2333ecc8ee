import {
  type ClaimedKeycloakSync,
  type Clock,
  DomainError,
  type KeycloakDirectory,
  type KeycloakSignIn,
  type KeycloakSyncQueue,
  type TransactionalRepositories,
  type UnitOfWork,
  type UserRepository,
} from "@gatehouse/domain";
import { type MailDeliveryPolicy, retryDelaySeconds } from "../mail/deliver-due-mail.js";
import { keycloakStateOf } from "./account-state.js";

/** How the sync works through its outbox: the mail sender's knobs, with the same meaning. */
export type KeycloakSyncPolicy = MailDeliveryPolicy;

export const DEFAULT_KEYCLOAK_SYNC_POLICY: KeycloakSyncPolicy = {
  batchSize: 25,
  maxAttempts: 12,
  retryBaseSeconds: 1,
  retryMaxSeconds: 300,
  leaseSeconds: 60,
};

export interface KeycloakSyncSummary {
  readonly synced: number;
  readonly retried: number;
  readonly failed: number;
}

export interface SyncKeycloakDeps {
  readonly queue: KeycloakSyncQueue;
  readonly directory: KeycloakDirectory;
  /** Logs out the Keycloak sessions of ended Gatehouse sessions (`logout_session`). */
  readonly signIn: Pick<KeycloakSignIn, "endSession">;
  /** The plain repository (not the syncing one): linking the account id must queue nothing. */
  readonly users: Pick<UserRepository, "find" | "update">;
  /** Only the audit log, for the refusals the sync reports. */
  readonly uow: UnitOfWork<Pick<TransactionalRepositories, "auditLog">>;
  readonly clock: Clock;
  readonly policy?: KeycloakSyncPolicy;
  /** Hears of every operation given up (logged by the caller; never a password). */
  readonly onFailure?: (failure: { readonly userId: string | null; readonly reason: string }) => void;
}

/** A refusal no retry can fix: reported (user `failed`, audited), never overwritten. */
class SyncRefused extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

const isCode = (error: unknown, code: string) => error instanceof DomainError && error.code === code;

/**
 * One run of the Keycloak sync: claims due operations and applies each through the directory,
 * oldest first. A push links the row to its account (creating it, disabled until the row is
 * active, with the queued password as a non-temporary credential), writes the row's state and
 * password, and logs a disabled account out everywhere. An account that holds the email but was
 * not created for this user (no matching `gatehouse_id`) is reported: the user is marked
 * `failed` and the refusal audited. A `logout_session` logs an ended Gatehouse session's Keycloak
 * session out with its refresh token (audited when done). Keycloak unavailable stops the run and retries with backoff;
 * nothing is lost and no request waits.
 */
export function makeSyncKeycloak(deps: SyncKeycloakDeps) {
  const policy = deps.policy ?? DEFAULT_KEYCLOAK_SYNC_POLICY;
  const { directory } = deps;

  async function removeAccountOf(userId: string | null, keycloakId: string | null): Promise<void> {
    const id = keycloakId ?? (userId === null ? undefined : (await directory.findByGatehouseId(userId))?.id);
    if (id !== undefined) await directory.remove(id);
  }

  /** The account this user owns in Keycloak, created when there is none; undefined: the row went. */
  async function linkedAccount(claim: ClaimedKeycloakSync, userId: string): Promise<string | undefined> {
    const user = (await deps.users.find(userId, { includeDeleted: true }))?.user;
    if (user === undefined) return undefined;
    if (user.keycloakId !== null) return user.keycloakId;
    const state = keycloakStateOf(user);
    const holder = (await directory.findByEmail(user.email)) ?? (await directory.findByGatehouseId(user.id));
    let id: string;
    if (holder !== undefined) {
      if (holder.gatehouseId !== user.id)
        throw new SyncRefused("a Keycloak account Gatehouse did not create holds the email");
      id = holder.id;
    } else {
      try {
        id = await directory.create(state, claim.password ?? undefined);
      } catch (error) {
        if (!isCode(error, "DUPLICATE_EMAIL")) throw error;
        // A concurrent run created it first, or another account holds the username.
        const created = await directory.findByGatehouseId(user.id);
        if (created === undefined) throw new SyncRefused("Keycloak refused the account: username or email taken");
        id = created.id;
      }
    }
    const linked = await deps.users.update(user.id, { keycloakId: id }, deps.clock.now());
    if (linked === undefined) {
      // The row went while the account was being created: no account may outlive it.
      await directory.remove(id);
      return undefined;
    }
    return id;
  }

  async function push(claim: ClaimedKeycloakSync, userId: string): Promise<void> {
    const id = await linkedAccount(claim, userId);
    const user = id === undefined ? undefined : (await deps.users.find(userId, { includeDeleted: true }))?.user;
    if (id === undefined || user === undefined) return removeAccountOf(userId, null);
    const state = keycloakStateOf(user);
    try {
      await directory.update(id, state);
      if (claim.password !== null) await directory.setPassword(id, claim.password);
    } catch (error) {
      if (isCode(error, "USER_NOT_FOUND")) throw new SyncRefused("the linked Keycloak account was deleted in Keycloak");
      if (isCode(error, "DUPLICATE_EMAIL")) throw new SyncRefused("another Keycloak account holds the new email");
      throw error;
    }
    // Suspension, deletion and the like take the right to sign in away: end its Keycloak sessions too.
    if (!state.enabled && user.emailVerifiedAt !== null) await directory.logOutEverywhere(id);
  }

  async function logOutSession(claim: ClaimedKeycloakSync): Promise<void> {
    if (claim.password !== null) await deps.signIn.endSession(claim.password);
    await deps.uow.run((tx) =>
      tx.auditLog.append({
        action: "keycloak.session_logged_out",
        userId: claim.userId,
        resourceType: "user",
        resourceId: claim.userId,
        status: "success",
        details: { attempts: claim.attempt },
        ipAddress: null,
        userAgent: null,
        requestId: null,
        durationMs: 0,
        timestamp: deps.clock.now(),
      }),
    );
  }

  function apply(claim: ClaimedKeycloakSync): Promise<void> {
    if (claim.operation === "logout_session") return logOutSession(claim);
    if (claim.operation === "delete" || claim.userId === null) return removeAccountOf(claim.userId, claim.keycloakId);
    return push(claim, claim.userId);
  }

  async function giveUp(claim: ClaimedKeycloakSync, reason: string): Promise<void> {
    await deps.queue.giveUp(claim, reason);
    const now = deps.clock.now();
    await deps.uow.run((tx) =>
      tx.auditLog.append({
        action: "keycloak.sync_failed",
        userId: null,
        resourceType: "user",
        resourceId: claim.userId,
        status: "failure",
        details: { operation: claim.operation, reason, attempts: claim.attempt },
        ipAddress: null,
        userAgent: null,
        requestId: null,
        durationMs: 0,
        timestamp: now,
      }),
    );
    deps.onFailure?.({ userId: claim.userId, reason });
  }

  return async function syncKeycloak(): Promise<KeycloakSyncSummary> {
    const counts = { synced: 0, retried: 0, failed: 0 };
    for (;;) {
      const now = deps.clock.now();
      const claims = await deps.queue.claimDue(
        now,
        policy.batchSize,
        new Date(now.getTime() + policy.leaseSeconds * 1000),
      );
      let unavailable = false;
      for (const claim of claims) {
        if (unavailable) {
          // Keycloak is down: the rest of the batch waits for the same retry, not for a timeout each.
          await deps.queue.scheduleRetry(claim, retryAt(claim), "Keycloak is unavailable");
          counts.retried += 1;
          continue;
        }
        try {
          await apply(claim);
          await deps.queue.complete(claim);
          counts.synced += 1;
        } catch (error) {
          if (error instanceof SyncRefused) {
            await giveUp(claim, error.reason);
            counts.failed += 1;
            continue;
          }
          unavailable = isCode(error, "IDENTITY_BACKEND_UNAVAILABLE");
          const reason = unavailable ? "Keycloak is unavailable" : describe(error);
          if (!unavailable && claim.attempt >= policy.maxAttempts) {
            await giveUp(claim, reason);
            counts.failed += 1;
          } else {
            await deps.queue.scheduleRetry(claim, retryAt(claim), reason);
            counts.retried += 1;
          }
        }
      }
      if (unavailable || claims.length < policy.batchSize) return counts;
    }
  };

  function retryAt(claim: ClaimedKeycloakSync): Date {
    return new Date(deps.clock.now().getTime() + retryDelaySeconds(claim.attempt, policy) * 1000);
  }
}

export type SyncKeycloak = ReturnType<typeof makeSyncKeycloak>;

/** The cause, kept short; Keycloak adapters never put a password or a token in a message. */
function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 500);
}
