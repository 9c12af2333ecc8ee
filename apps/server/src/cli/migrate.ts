import { loadConfig, openDatabase, runMigrations } from "@gatehouse/infrastructure";
import type { CliCommand } from "./command.js";

export const migrate: CliCommand = {
  name: "migrate",
  summary: "Apply pending database migrations and exit (same as pnpm db:migrate)",
  async run({ out }) {
    const config = loadConfig();
    const started = Date.now();
    const database = await openDatabase(config.database);
    try {
      await runMigrations(database);
    } finally {
      await database.close();
    }
    const result = { database: config.database.kind, ms: Date.now() - started };
    out.result(result, () => `migrations applied (${result.database}) in ${result.ms} ms`);
  },
};
