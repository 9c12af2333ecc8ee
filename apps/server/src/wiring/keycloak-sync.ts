import { DEFAULT_KEYCLOAK_SYNC_POLICY, makeSyncKeycloak, type SyncKeycloak } from "@gatehouse/application";
import type { Clock, KeycloakDirectory, KeycloakSignIn } from "@gatehouse/domain";
import {
  type Config,
  type DatabaseHandle,
  type Logger,
  makeKeycloakSyncQueue,
  makeSecretBox,
  makeUnitOfWork,
  makeUserRepository,
  resolveKeycloakSyncKey,
} from "@gatehouse/infrastructure";
import { type OutboxSender, startOutboxSender } from "../outbox-sender.js";
import type { Adapters } from "./adapters.js";

/**
 * The Keycloak sync over one database and directory, as the server's loop, the worker's cleanup
 * and the CLI run it; undefined unless IDENTITY_BACKEND=keycloak. Its user repository is the
 * plain one: the sync's own writes (linking the account id) queue nothing.
 */
export function keycloakSyncFor(
  config: Config,
  database: DatabaseHandle,
  clock: Clock,
  keycloakAdapters: { readonly directory: KeycloakDirectory; readonly signIn: Pick<KeycloakSignIn, "endSession"> },
  logger?: Pick<Logger, "warn">,
): SyncKeycloak | undefined {
  const keycloak = config.identity.keycloak;
  if (config.identity.backend !== "keycloak" || keycloak === undefined) return undefined;
  const box = makeSecretBox(
    [{ id: "k1", key: resolveKeycloakSyncKey(keycloak.syncKey, config.dataDir) }],
    "keycloak-sync",
  );
  return makeSyncKeycloak({
    queue: makeKeycloakSyncQueue(database.db, box),
    directory: keycloakAdapters.directory,
    signIn: keycloakAdapters.signIn,
    users: makeUserRepository(database.db),
    uow: makeUnitOfWork(database.db),
    clock,
    onFailure: (failure) =>
      logger?.warn({ user_id: failure.userId, reason: failure.reason }, "Keycloak sync gave up on an operation"),
  });
}

/** How often the server's sync looks for due operations besides being woken by a commit. */
const KEYCLOAK_SYNC_INTERVAL_MS = 2000;

/**
 * The server's Keycloak sync loop: woken after every commit that queued an operation, and on a
 * timer for retries and for operations another process queued. Undefined in local mode.
 */
export function startKeycloakSync(
  config: Config,
  logger: Logger,
  adapters: Adapters,
  keycloakAdapters: Parameters<typeof keycloakSyncFor>[3] | undefined,
): OutboxSender | undefined {
  const sync =
    keycloakAdapters === undefined
      ? undefined
      : keycloakSyncFor(config, adapters.database, adapters.clock, keycloakAdapters, logger);
  if (sync === undefined || adapters.keycloakSync === undefined) return undefined;
  const sender = startOutboxSender({
    deliver: async () => {
      const summary = await sync();
      return { claimed: summary.synced + summary.retried + summary.failed, sent: summary.synced, ...summary };
    },
    intervalMs: KEYCLOAK_SYNC_INTERVAL_MS,
    // The sync drains until a batch is short itself; the loop need not go round again at once.
    batchSize: DEFAULT_KEYCLOAK_SYNC_POLICY.batchSize + 1,
    logger,
    label: "Keycloak sync",
  });
  adapters.keycloakSync.queued.on(() => sender.wake());
  // A held Keycloak session no Gatehouse session took (a second factor was due, the account is
  // blocked): logged out now; Keycloak ends it by itself anyway when this fails.
  adapters.keycloakSync.untaken.on((tokens) =>
    keycloakAdapters?.signIn
      .endSession(tokens.refreshToken)
      .catch((error: unknown) => logger.warn({ err: error }, "could not log out an untaken Keycloak session")),
  );
  return sender;
}
