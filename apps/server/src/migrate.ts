#!/usr/bin/env node
import {
  ConfigError,
  describeDatabaseFailure,
  loadConfig,
  openDatabase,
  runMigrations,
} from "@gatehouse/infrastructure";

/** `pnpm db:migrate`: applies pending migrations and exits, without starting the server. */
try {
  const config = loadConfig();
  const database = await openDatabase(config.database);
  try {
    await runMigrations(database);
  } finally {
    await database.close();
  }
  process.stdout.write(`migrations applied (${config.database.kind})\n`);
} catch (error) {
  const message = describeDatabaseFailure(error) ?? (error instanceof Error ? error.message : String(error));
  process.stderr.write(`gatehouse: ${error instanceof ConfigError ? "invalid configuration: " : ""}${message}\n`);
  process.exit(1);
}
