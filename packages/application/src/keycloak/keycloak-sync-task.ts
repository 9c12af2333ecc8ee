import type { CleanupTask } from "../maintenance/run-cleanup.js";
import type { SyncKeycloak } from "./sync-keycloak.js";

/**
 * The worker's share of the Keycloak sync (IDENTITY_BACKEND=keycloak): after the cleanup has
 * queued the removals of expired registrations, one sync run applies what is due, so the
 * outbox converges even when no server runs. Keycloak down is not a failed cleanup: the
 * operations stay queued and the counts say so.
 */
export function makeKeycloakSyncTask(deps: { readonly sync: SyncKeycloak }): CleanupTask {
  return {
    async run() {
      const summary = await deps.sync();
      return { keycloak_synced: summary.synced, keycloak_retried: summary.retried, keycloak_failed: summary.failed };
    },
  };
}
