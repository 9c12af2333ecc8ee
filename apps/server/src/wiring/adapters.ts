import {
  handingOffHasher,
  instrumentPasswordHasher,
  instrumentUnitOfWork,
  type KeycloakSessionHandoff,
  keycloakSyncedUnitOfWork,
  makeKeycloakSessionHandoff,
} from "@gatehouse/application";
import {
  type Clock,
  type KeycloakTokenSet,
  NO_TELEMETRY,
  type PasswordHasher,
  type Telemetry,
  type TransactionalRepositories,
  type UnitOfWork,
} from "@gatehouse/domain";
import {
  type Config,
  type DatabaseHandle,
  type KeycloakBoxes,
  makeArgon2Hasher,
  makeArgon2Pool,
  makeKeycloakSyncUnitOfWork,
  makeSecretBox,
  makeUnitOfWork,
  type QueryObserver,
  repositoriesOn,
  resolveKeycloakSyncKey,
  systemClock,
} from "@gatehouse/infrastructure";
import { migrateInPhases, openDatabaseInPhases, StartupPhases } from "../startup-phases.js";
import { traced } from "./tracing.js";

/** What a process may bring instead of opening it (tests: an in-memory PGlite, a fake clock). */
export interface AdapterOverrides {
  /** An already-open database, left open by `close()`. */
  readonly database?: DatabaseHandle;
  readonly clock?: Clock;
  /** Times the slow start-up steps; the server's main.ts reads it for the "listening" line. */
  readonly phases?: StartupPhases;
  /** Metrics (README "Operations"): outcomes reported by the adapters and use cases. */
  readonly telemetry?: Telemetry;
  /** Hears of every statement the database runs (query metrics); none with metrics off. */
  readonly queryObserver?: QueryObserver;
}

/**
 * The adapters every Gatehouse process needs (server, worker, `gatehouse admin`): the
 * database with its repositories and unit of work, the clock and the password hasher.
 * The server opens its serving adapters (Redis, tokens, cache) on top of these.
 */
export interface Adapters {
  readonly clock: Clock;
  readonly telemetry: Telemetry;
  readonly database: DatabaseHandle;
  readonly uow: UnitOfWork;
  /** Repositories outside any transaction: reads, and claims that must survive a rollback. */
  readonly repositories: TransactionalRepositories;
  readonly hasher: PasswordHasher & { ready(): Promise<void> };
  /**
   * With IDENTITY_BACKEND=keycloak: the key sealing queued passwords, and the hook told after
   * each commit that queued a Keycloak sync operation (the server wakes its sync there).
   */
  readonly keycloakSync:
    | {
        readonly key: Uint8Array;
        readonly queued: QueuedSignal;
        /** The Keycloak sessions password-grant sign-ins opened, on their way to the session they belong to. */
        readonly sessions: KeycloakSessionHandoff;
        /** Told of each held session no Gatehouse session took (the server logs it out). */
        readonly untaken: QueuedSignal<KeycloakTokenSet>;
      }
    | undefined;
  /** Closes what `openAdapters` opened (not an overridden database). */
  close(): Promise<void>;
}

/** Listeners of "a Keycloak sync operation was queued"; firing with none is a no-op. */
export class QueuedSignal<T = void> {
  private readonly listeners = new Set<(value: T) => void>();
  on(listener: (value: T) => void): void {
    this.listeners.add(listener);
  }
  fire(value: T): void {
    for (const listener of this.listeners) listener(value);
  }
}

/** The outbox's boxes under the one Keycloak sync key, each with its own purpose. */
export function keycloakBoxes(key: Uint8Array): KeycloakBoxes {
  return {
    sync: makeSecretBox([{ id: "k1", key }], "keycloak-sync"),
    sessions: makeSecretBox([{ id: "k1", key }], "keycloak-session"),
  };
}

/**
 * The unit of work and hasher of the identity backend: as they are in local mode; in keycloak
 * mode every user write also queues its Keycloak sync in the same transaction, and the hasher
 * hands new passwords to that write (README "Keycloak", the sync outbox).
 */
function identityBackendOf(config: Config, database: DatabaseHandle, hasher: Adapters["hasher"]) {
  const keycloak = config.identity.keycloak;
  if (config.identity.backend !== "keycloak" || keycloak === undefined) {
    return { uow: makeUnitOfWork(database.db), hasher, keycloakSync: undefined };
  }
  const key = resolveKeycloakSyncKey(keycloak.syncKey, config.dataDir);
  const handing = handingOffHasher(hasher);
  const queued = new QueuedSignal();
  const untaken = new QueuedSignal<KeycloakTokenSet>();
  const sessions = makeKeycloakSessionHandoff({ onUntaken: (tokens) => untaken.fire(tokens) });
  const inner = makeKeycloakSyncUnitOfWork(database.db, keycloakBoxes(key));
  return {
    uow: keycloakSyncedUnitOfWork(inner, handing.handoff, () => queued.fire(), sessions),
    hasher: handing.hasher,
    keycloakSync: { key, queued, sessions, untaken },
  };
}

/** Opens the database (migrating it when DB_AUTO_MIGRATE is on) and builds the shared adapters. */
export async function openAdapters(config: Config, overrides: AdapterOverrides = {}): Promise<Adapters> {
  // Without a caller's phases the lines still go nowhere: the worker and CLI log nothing here.
  const telemetry = overrides.telemetry ?? NO_TELEMETRY;
  const phases = overrides.phases ?? new StartupPhases({ info: () => {} });
  const database = overrides.database ?? (await openDatabaseInPhases(config.database, phases, overrides.queryObserver));
  try {
    if (config.autoMigrate) await migrateInPhases(database, phases);
  } catch (error) {
    if (overrides.database === undefined) await database.close();
    throw error;
  }
  // Hashes run on worker threads of their own at ARGON2_NICE, one per hash allowed in flight.
  const hasher = makeArgon2Hasher({
    maxConcurrency: config.argon2MaxConcurrency,
    maxQueued: config.loginQueueMax,
    retryAfterSeconds: config.loginQueueRetryAfterSeconds,
    pool: makeArgon2Pool({ size: config.argon2MaxConcurrency, nice: config.argon2Nice }),
  });
  const backend = identityBackendOf(
    config,
    database,
    traced(config, instrumentPasswordHasher(hasher, telemetry), "password", ["hash", "verify"]),
  );
  return {
    clock: overrides.clock ?? systemClock,
    telemetry,
    database,
    uow: instrumentUnitOfWork(backend.uow, telemetry),
    repositories: repositoriesOn(database.db),
    hasher: backend.hasher,
    keycloakSync: backend.keycloakSync,
    async close() {
      await hasher.close();
      if (overrides.database === undefined) await database.close();
    },
  };
}
