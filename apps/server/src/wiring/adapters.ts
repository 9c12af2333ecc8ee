import type { Clock, PasswordHasher, TransactionalRepositories, UnitOfWork } from "@gatehouse/domain";
import {
  type Config,
  type DatabaseHandle,
  makeArgon2Hasher,
  makeUnitOfWork,
  repositoriesOn,
  systemClock,
} from "@gatehouse/infrastructure";
import { migrateInPhases, openDatabaseInPhases, StartupPhases } from "../startup-phases.js";

/** What a process may bring instead of opening it (tests: an in-memory PGlite, a fake clock). */
export interface AdapterOverrides {
  /** An already-open database, left open by `close()`. */
  readonly database?: DatabaseHandle;
  readonly clock?: Clock;
  /** Times the slow start-up steps; the server's main.ts reads it for the "listening" line. */
  readonly phases?: StartupPhases;
}

/**
 * The adapters every Gatehouse process needs (server, worker, `gatehouse admin`): the
 * database with its repositories and unit of work, the clock and the password hasher.
 * The server opens its serving adapters (Redis, tokens, cache) on top of these.
 */
export interface Adapters {
  readonly clock: Clock;
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
  const phases = overrides.phases ?? new StartupPhases({ info: () => {} });
  const database = overrides.database ?? (await openDatabaseInPhases(config.database, phases));
  try {
    if (config.autoMigrate) await migrateInPhases(database, phases);
  } catch (error) {
    if (overrides.database === undefined) await database.close();
    throw error;
  }
  return {
    clock: overrides.clock ?? systemClock,
    database,
    uow: makeUnitOfWork(database.db),
    repositories: repositoriesOn(database.db),
    hasher: makeArgon2Hasher({ maxConcurrency: config.argon2MaxConcurrency }),
    async close() {
      if (overrides.database === undefined) await database.close();
    },
  };
}
