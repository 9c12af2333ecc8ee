import { makeReconcileKeycloak, type ReconcileKeycloak } from "@gatehouse/application";
import type { Clock, KeycloakDirectory } from "@gatehouse/domain";
import {
  type DatabaseHandle,
  type KeycloakConfig,
  makeKeycloakSyncUnitOfWork,
  makeUserRepository,
  resolveKeycloakSyncKey,
} from "@gatehouse/infrastructure";
import { keycloakBoxes } from "./adapters.js";

/**
 * The Keycloak reconciliation over one database and directory (`gatehouse keycloak sync
 * --report / --fix`). Its unit of work is the outbox's own, not the syncing one: a fix queues
 * its push itself, with the sealed outbox the sync reads.
 */
export function keycloakReconcileFor(
  keycloak: KeycloakConfig,
  dataDir: string,
  database: DatabaseHandle,
  clock: Clock,
  directory: KeycloakDirectory,
): ReconcileKeycloak {
  const key = resolveKeycloakSyncKey(keycloak.syncKey, dataDir);
  return makeReconcileKeycloak({
    directory,
    users: makeUserRepository(database.db),
    uow: makeKeycloakSyncUnitOfWork(database.db, keycloakBoxes(key)),
    clock,
  });
}
