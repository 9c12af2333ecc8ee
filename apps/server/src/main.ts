#!/usr/bin/env node
import {
  ConfigError,
  createLogger,
  describeDatabaseFailure,
  loadConfig,
  lookalikeVariableWarnings,
  readDotEnv,
} from "@gatehouse/infrastructure";
import { createServer } from "./compose.js";
import { installGracefulShutdown } from "./graceful-shutdown.js";
import { StartupPhases } from "./startup-phases.js";

function publicHost(host: string): string {
  return host === "0.0.0.0" || host === "::" ? "localhost" : host;
}

async function main(): Promise<void> {
  // Before loading: a misspelt variable is often why the configuration is refused.
  for (const warning of lookalikeVariableWarnings({ ...readDotEnv(process.cwd()), ...process.env })) {
    process.stderr.write(`gatehouse: warning: ${warning}\n`);
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`gatehouse: invalid configuration: ${error.message}\n`);
    process.exit(1);
  }
  const logger = createLogger({
    level: config.logLevel,
    pretty: config.logPretty,
    traced: config.observability.tracing !== undefined,
  });
  logger.info(
    { database: config.database.kind, env: config.appEnv },
    config.database.kind === "pglite"
      ? `using embedded PostgreSQL (PGlite) in ${config.database.dataDir}`
      : "using PostgreSQL from DATABASE_URL",
  );
  const phases = new StartupPhases(logger);
  const server = await createServer(config, logger, { phases });
  installGracefulShutdown(server, logger, {
    timeoutSeconds: config.shutdownTimeoutSeconds,
    drainDelaySeconds: config.shutdownDrainDelaySeconds,
  });
  await server.app.listen({ host: config.host, port: config.port });
  const address = server.app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const base = `${config.observability.tls ? "https" : "http"}://${publicHost(config.host)}:${port}`;
  const startup = phases.summary();
  logger.info(
    { host: config.host, port, ...startup.fields },
    `Gatehouse listening on ${base} (Swagger UI: ${base}/swagger-ui); ${startup.text}`,
  );
}

main().catch((error: unknown) => {
  const reason = error instanceof ConfigError ? "invalid configuration" : "failed to start";
  const cause = describeDatabaseFailure(error) ?? (error instanceof Error ? error.message : String(error));
  process.stderr.write(`gatehouse: ${reason}: ${cause}\n`);
  process.exit(1);
});
