import { type ApiUseCases, buildApp, type GatehouseApp } from "@gatehouse/api";
import {
  makeAuthenticate,
  makeAuthorize,
  makeCheckHealth,
  makeGetCurrentUser,
  makeLoadAccess,
  makeLogIn,
  makeLogOut,
  makeRefreshSession,
  makeRegisterUser,
} from "@gatehouse/application";
import { type Clock, DEFAULT_PASSWORD_POLICY, type HealthProbe } from "@gatehouse/domain";
import {
  type Config,
  type DatabaseHandle,
  type Logger,
  MemoryCache,
  MemorySessionRevocations,
  makeArgon2Hasher,
  makeJoseAccessTokens,
  makeUnitOfWork,
  opaqueTokens,
  openDatabase,
  openRedis,
  pingDatabase,
  repositoriesOn,
  resolveJwtSecret,
  runMigrations,
  systemClock,
} from "@gatehouse/infrastructure";

export interface Server {
  readonly app: GatehouseApp;
  readonly database: DatabaseHandle;
  /** Flips readiness to 503; the first step of graceful shutdown. */
  beginShutdown(): void;
  /** Closes the HTTP server (waiting for in-flight requests), then the database. */
  close(): Promise<void>;
}

export interface ServerOverrides {
  /** An already-open database (tests use an in-memory PGlite). */
  readonly database?: DatabaseHandle;
  readonly clock?: Clock;
}

function databaseProbe(handle: DatabaseHandle): HealthProbe {
  return { name: "database", ping: () => pingDatabase(handle.db), details: async () => handle.stats() };
}

/**
 * The composition root: configuration → adapters → use cases → Fastify. Plain functions,
 * no container: reading this file tells which adapter serves which port.
 */
export async function createServer(config: Config, logger: Logger, overrides: ServerOverrides = {}): Promise<Server> {
  const clock = overrides.clock ?? systemClock;
  const jwt = resolveJwtSecret(config.jwt.secret, config.dataDir, config.production);
  const database = overrides.database ?? (await openDatabase(config.database));
  if (config.autoMigrate) await runMigrations(database);
  // Connects in the background: a Redis outage at start degrades readiness, it does not stop the start.
  const redis = config.redis === undefined ? undefined : openRedis(config.redis, logger);

  if (jwt.generated) {
    logger.warn({ path: jwt.path }, "JWT_SECRET is not set: using a generated development secret kept in DATA_DIR");
  }
  const accessTokens = await makeJoseAccessTokens({
    secret: jwt.secret,
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
    accessTokenTtlSeconds: config.jwt.accessTokenTtlSeconds,
    clockToleranceSeconds: config.jwt.clockToleranceSeconds,
  });
  const hasher = makeArgon2Hasher({ maxConcurrency: config.argon2MaxConcurrency });
  await hasher.ready();
  const uow = makeUnitOfWork(database.db);
  const repositories = repositoriesOn(database.db);

  const revocationWindowSeconds = config.jwt.accessTokenTtlSeconds + config.jwt.clockToleranceSeconds;
  const revocations = new MemorySessionRevocations(clock, revocationWindowSeconds);
  revocations.seed(
    await repositories.refreshTokens.familiesRevokedSince(
      new Date(clock.now().getTime() - revocationWindowSeconds * 1000),
    ),
  );

  const cache = new MemoryCache(clock);
  const loadAccess = makeLoadAccess({ users: repositories.users, cache });

  const passwordPolicy = { ...DEFAULT_PASSWORD_POLICY, minLength: config.passwordMinLength };
  const refreshPolicy = {
    ttlSeconds: config.jwt.refreshTokenTtlSeconds,
    reuseGraceSeconds: config.refreshReuseGraceSeconds,
  };
  const useCases: ApiUseCases = {
    registerUser: makeRegisterUser({ uow, hasher, clock, passwordPolicy }),
    logIn: makeLogIn({
      users: repositories.users,
      uow,
      hasher,
      opaqueTokens,
      accessTokens,
      clock,
      passwordPolicy,
      refreshPolicy,
    }),
    refreshSession: makeRefreshSession({ uow, opaqueTokens, accessTokens, revocations, clock, refreshPolicy }),
    logOut: makeLogOut({ uow, opaqueTokens, revocations, clock }),
    getCurrentUser: makeGetCurrentUser({ users: repositories.users }),
    authenticate: makeAuthenticate({ accessTokens, revocations }),
    authorize: makeAuthorize({ loadAccess, auditLog: repositories.auditLog, clock }),
    checkHealth: makeCheckHealth({
      probes: redis === undefined ? [databaseProbe(database)] : [databaseProbe(database), redis.probe],
      optionalProbes: ["redis"],
      timeoutMs: config.healthCheckTimeoutMs,
      clock,
    }),
  };

  let shuttingDown = false;
  const app = await buildApp({
    useCases,
    logger,
    version: config.appVersion,
    bodyLimitBytes: config.bodyLimitBytes,
    corsAllowedOrigins: config.corsAllowedOrigins,
    isShuttingDown: () => shuttingDown,
  });

  return {
    app,
    database,
    beginShutdown: () => {
      shuttingDown = true;
    },
    async close() {
      shuttingDown = true;
      await app.close();
      await redis?.close();
      await database.close();
    },
  };
}
