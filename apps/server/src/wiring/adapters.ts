import { instrumentPasswordHasher, instrumentUnitOfWork } from "@gatehouse/application";
import {
  type Clock,
  NO_TELEMETRY,
  type PasswordHasher,
  type Telemetry,
  type TransactionalRepositories,
  type UnitOfWork,
} from "@gatehouse/domain";
import {
  type Config,
  type DatabaseHandle,
  makeArgon2Hasher,
  makeArgon2Pool,
  makeUnitOfWork,
  type QueryObserver,
  repositoriesOn,
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
  /** Closes what `openAdapters` opened (not an overridden database). */
  close(): Promise<void>;
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
  return {
    clock: overrides.clock ?? systemClock,
    telemetry,
    database,
    uow: instrumentUnitOfWork(makeUnitOfWork(database.db), telemetry),
    repositories: repositoriesOn(database.db),
    hasher: traced(config, instrumentPasswordHasher(hasher, telemetry), "password", ["hash", "verify"]),
    async close() {
      await hasher.close();
      if (overrides.database === undefined) await database.close();
    },
  };
}
