import type {
  AuditEntry,
  Clock,
  KeycloakAccount,
  KeycloakDirectory,
  KeycloakSyncRepositories,
  UnitOfWork,
  User,
  UserRepository,
} from "@gatehouse/domain";

/** A local user meant to have a Keycloak account that has none (or whose linked one is gone). */
export interface MissingKeycloakAccount {
  readonly userId: string;
  readonly email: string;
  /** The dead link (null when the row never had one). */
  readonly keycloakId: string | null;
  /**
   * With `fix`: `queued` (link cleared, a push queued: the sync creates a new account, with no
   * password until the user resets it, or adopts one Gatehouse created for the user), or
   * `blocked` (another account holds the email: a push would only be refused again).
   */
  readonly fix?: "queued" | "blocked";
}

/** An account Gatehouse created (`gatehouse_id`) for a user that no longer exists. */
export interface OrphanedKeycloakAccount {
  readonly keycloakId: string;
  readonly gatehouseId: string;
  readonly username: string;
  readonly email: string | null;
  /** With `fix`: the account was deleted. */
  readonly fix?: "deleted";
}

/** An account Gatehouse did not create holding a local user's email: reported, never touched. */
export interface ForeignKeycloakAccount {
  readonly keycloakId: string;
  readonly username: string;
  readonly email: string;
  readonly userId: string;
}

export interface KeycloakReconciliation {
  readonly missing: readonly MissingKeycloakAccount[];
  readonly orphaned: readonly OrphanedKeycloakAccount[];
  readonly foreign: readonly ForeignKeycloakAccount[];
}

export interface ReconcileKeycloakDeps {
  readonly directory: Pick<KeycloakDirectory, "list" | "find" | "findByEmail" | "remove">;
  /** The plain repository, for reading both sides' counterparts outside any transaction. */
  readonly users: Pick<UserRepository, "keycloakManaged" | "find" | "findByEmail" | "findByKeycloakId">;
  /**
   * The unit of work with the outbox bound to it (not the syncing one): a fix clears the dead
   * link and queues the push itself, as keycloakSyncedUnitOfWork does for a user write.
   */
  readonly uow: UnitOfWork<Pick<KeycloakSyncRepositories, "users" | "keycloakSync" | "auditLog">>;
  readonly clock: Clock;
  /** Rows read per page on each side. */
  readonly pageSize?: number;
}

export const DEFAULT_RECONCILE_PAGE_SIZE = 100;

type Finding = Omit<AuditEntry, "ipAddress" | "userAgent" | "requestId" | "durationMs" | "timestamp" | "status">;

/**
 * Compares the local users Keycloak manages with the realm's accounts, one page at a time on
 * each side (never either side whole), and reports accounts missing in Keycloak, orphaned in
 * Keycloak and foreign accounts holding a local user's email. A user with a queued operation
 * (`pending`) is left to the outbox. With `fix`, after the whole comparison (so deletions never
 * shift Keycloak's pages under it): a missing account's dead link is cleared and a push queued in
 * one transaction, so the next sync run creates it; an orphan is deleted. Each fix is audited;
 * foreign accounts are never changed. Keycloak unavailable throws IDENTITY_BACKEND_UNAVAILABLE.
 */
export function makeReconcileKeycloak(deps: ReconcileKeycloakDeps) {
  const pageSize = deps.pageSize ?? DEFAULT_RECONCILE_PAGE_SIZE;
  const { directory, users } = deps;

  async function missingAccounts(): Promise<MissingKeycloakAccount[]> {
    const missing: MissingKeycloakAccount[] = [];
    let after: string | null = null;
    for (;;) {
      const page: User[] = await users.keycloakManaged(after, pageSize);
      for (const user of page) {
        if (user.keycloakSyncStatus === "pending") continue;
        if (user.keycloakId !== null && (await directory.find(user.keycloakId)) !== undefined) continue;
        missing.push({ userId: user.id, email: user.email, keycloakId: user.keycloakId });
      }
      const last = page.at(-1);
      if (page.length < pageSize || last === undefined) return missing;
      after = last.id;
    }
  }

  async function classify(
    account: KeycloakAccount,
    orphaned: OrphanedKeycloakAccount[],
    foreign: ForeignKeycloakAccount[],
  ) {
    if (account.gatehouseId !== null) {
      if ((await users.find(account.gatehouseId, { includeDeleted: true })) === undefined) {
        orphaned.push({
          keycloakId: account.id,
          gatehouseId: account.gatehouseId,
          username: account.username,
          email: account.email,
        });
      }
      return;
    }
    // An account a user is linked to (auto-provisioned from a realm token) is that user's own.
    if (account.email === null || (await users.findByKeycloakId(account.id)) !== undefined) return;
    const holder = await users.findByEmail(account.email);
    if (holder !== undefined) {
      foreign.push({ keycloakId: account.id, username: account.username, email: account.email, userId: holder.id });
    }
  }

  async function realmAccounts() {
    const orphaned: OrphanedKeycloakAccount[] = [];
    const foreign: ForeignKeycloakAccount[] = [];
    for (let first = 0; ; first += pageSize) {
      const page = await directory.list(first, pageSize);
      for (const account of page) await classify(account, orphaned, foreign);
      if (page.length < pageSize) return { orphaned, foreign };
    }
  }

  function audit(tx: Pick<KeycloakSyncRepositories, "auditLog">, finding: Finding) {
    return tx.auditLog.append({
      ...finding,
      status: "success",
      ipAddress: null,
      userAgent: null,
      requestId: null,
      durationMs: 0,
      timestamp: deps.clock.now(),
    });
  }

  async function requeue(found: MissingKeycloakAccount): Promise<MissingKeycloakAccount> {
    const holder = await directory.findByEmail(found.email);
    if (holder !== undefined && holder.gatehouseId !== found.userId) return { ...found, fix: "blocked" };
    const queued = await deps.uow.run(async (tx) => {
      const row = (await tx.users.find(found.userId, { includeDeleted: true, lock: true }))?.user;
      // Purged, relinked or changed (a push queued) since the comparison: nothing left to fix.
      if (row === undefined || row.keycloakId !== found.keycloakId || row.keycloakSyncStatus === "pending")
        return false;
      await tx.users.update(row.id, { keycloakId: null, keycloakSyncStatus: "pending" }, deps.clock.now());
      await tx.keycloakSync.push(row.id);
      await audit(tx, {
        action: "keycloak.account_requeued",
        userId: null,
        resourceType: "user",
        resourceId: row.id,
        details: { previous_keycloak_id: found.keycloakId },
      });
      return true;
    });
    return queued ? { ...found, fix: "queued" } : found;
  }

  async function removeOrphan(found: OrphanedKeycloakAccount): Promise<OrphanedKeycloakAccount> {
    // Judged during the walk, possibly minutes ago: still the same account, and still nobody's?
    const now = await directory.find(found.keycloakId);
    if (now === undefined || now.gatehouseId !== found.gatehouseId) return found;
    if ((await deps.users.find(found.gatehouseId, { includeDeleted: true })) !== undefined) return found;
    await directory.remove(found.keycloakId);
    await deps.uow.run((tx) =>
      audit(tx, {
        action: "keycloak.orphan_removed",
        userId: null,
        resourceType: "keycloak_account",
        resourceId: found.keycloakId,
        details: { gatehouse_id: found.gatehouseId, username: found.username },
      }),
    );
    return { ...found, fix: "deleted" };
  }

  return async function reconcileKeycloak(options: { readonly fix: boolean }): Promise<KeycloakReconciliation> {
    const missing = await missingAccounts();
    const { orphaned, foreign } = await realmAccounts();
    if (!options.fix) return { missing, orphaned, foreign };
    const fixedMissing: MissingKeycloakAccount[] = [];
    for (const found of missing) fixedMissing.push(await requeue(found));
    const fixedOrphans: OrphanedKeycloakAccount[] = [];
    for (const found of orphaned) fixedOrphans.push(await removeOrphan(found));
    return { missing: fixedMissing, orphaned: fixedOrphans, foreign };
  };
}

export type ReconcileKeycloak = ReturnType<typeof makeReconcileKeycloak>;
