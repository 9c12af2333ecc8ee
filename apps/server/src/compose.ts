import { randomUUID } from "node:crypto";
import { type ApiUseCases, buildApp, type GatehouseApp } from "@gatehouse/api";
import {
  makeAuthenticate,
  makeAuthorize,
  makeCheckEmail,
  makeCheckHealth,
  makeCheckRateLimit,
  makeConfirmEmailChange,
  makeDeliverDueMail,
  makeGetCurrentUser,
  makeLoadAccess,
  makeLogIn,
  makeLogOut,
  makeRefreshSession,
  makeRegisterUser,
  makeRequestPasswordReset,
  makeResendVerification,
  makeResetPassword,
  makeUpdateProfile,
  makeVerifyEmail,
} from "@gatehouse/application";
import {
  type Clock,
  DEFAULT_PASSWORD_POLICY,
  type HealthProbe,
  type Mailer,
  type RateLimiter,
} from "@gatehouse/domain";
import {
  type Config,
  type DatabaseHandle,
  DevMailbox,
  FallbackRateLimiter,
  type Logger,
  MemoryCache,
  MemoryRateLimiter,
  MemorySessionRevocations,
  makeArgon2Hasher,
  makeDevMailer,
  makeHmacOneTimeSecrets,
  makeJoseAccessTokens,
  makeMailQueue,
  makeSmtpMailer,
  makeUnitOfWork,
  opaqueTokens,
  openDatabase,
  openRedis,
  pingDatabase,
  type RedisConnection,
  RedisRateLimiter,
  repositoriesOn,
  resolveJwtSecret,
  runMigrations,
  systemClock,
} from "@gatehouse/infrastructure";
import { type OutboxSender, startOutboxSender } from "./outbox-sender.js";

export interface Server {
  readonly app: GatehouseApp;
  readonly database: DatabaseHandle;
  /** Where mail goes without SMTP_URL outside production; undefined otherwise. */
  readonly devMailbox: DevMailbox | undefined;
  /** The in-process outbox sender; undefined when there is nowhere to deliver to. */
  readonly mailSender: OutboxSender | undefined;
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

interface MailDelivery {
  readonly mailer: Mailer | undefined;
  readonly devMailbox: DevMailbox | undefined;
  close(): void;
}

/**
 * SMTP when SMTP_URL is set; otherwise, outside production, the development mailbox. In
 * production without SMTP_URL nothing is sent: mail stays queued (nothing lost) until the
 * server runs with SMTP_URL, and a warning says so at start.
 */
function mailDeliveryFor(config: Config, logger: Logger, clock: Clock): MailDelivery {
  const product = config.appName;
  if (config.mail.smtpUrl !== undefined) {
    const smtp = makeSmtpMailer({ url: config.mail.smtpUrl, from: config.mail.from, product });
    return { mailer: smtp, devMailbox: undefined, close: () => smtp.close() };
  }
  if (config.production) {
    logger.warn("SMTP_URL is not set: outgoing mail stays queued in mail_outbox until it is");
    return { mailer: undefined, devMailbox: undefined, close: () => {} };
  }
  const devMailbox = new DevMailbox();
  const mailer = makeDevMailer(devMailbox, logger, product, () => clock.now());
  return { mailer, devMailbox, close: () => {} };
}

function startMailSender(config: Config, logger: Logger, clock: Clock, database: DatabaseHandle, mailer: Mailer) {
  const policy = {
    batchSize: config.mail.batchSize,
    maxAttempts: config.mail.maxAttempts,
    retryBaseSeconds: config.mail.retryBaseSeconds,
    retryMaxSeconds: 3600,
    leaseSeconds: 120,
  };
  return startOutboxSender({
    deliver: makeDeliverDueMail({ queue: makeMailQueue(database.db), mailer, clock, policy }),
    intervalMs: config.mail.pollIntervalMs,
    batchSize: policy.batchSize,
    logger,
  });
}

function databaseProbe(handle: DatabaseHandle): HealthProbe {
  return { name: "database", ping: () => pingDatabase(handle.db), details: async () => handle.stats() };
}

/**
 * Shared limits through Redis when it is configured, falling back to this instance's own
 * counts (same limits) while it is unreachable; per-instance limits without Redis.
 */
function rateLimiterFor(redis: RedisConnection | undefined, clock: Clock, logger: Logger): RateLimiter {
  const local = new MemoryRateLimiter(clock);
  if (redis === undefined) return local;
  return new FallbackRateLimiter(new RedisRateLimiter(redis, clock), local, clock, logger);
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

  const rateLimiter = rateLimiterFor(redis, clock, logger);

  const passwordPolicy = { ...DEFAULT_PASSWORD_POLICY, minLength: config.passwordMinLength };
  const refreshPolicy = {
    ttlSeconds: config.jwt.refreshTokenTtlSeconds,
    reuseGraceSeconds: config.refreshReuseGraceSeconds,
  };
  const { lifecycle } = config;
  const policy = {
    ...lifecycle,
    resendLimits: {
      cooldownSeconds: lifecycle.resendCooldownSeconds,
      maxPerWindow: lifecycle.resendMaxPerDay,
      windowSeconds: 86_400,
    },
  };
  // Codes and link tokens are hashed under a key derived from the server secret.
  const secrets = makeHmacOneTimeSecrets(jwt.secret);
  // Attempts on a code are claimed outside any transaction, so a failed request still counts.
  const codeCheck = { codes: repositories.oneTimeCodes, secrets, clock };
  const useCases: ApiUseCases = {
    registerUser: makeRegisterUser({ uow, hasher, clock, passwordPolicy, secrets, policy, newId: randomUUID }),
    verifyEmail: makeVerifyEmail({ ...codeCheck, users: repositories.users, uow, policy }),
    resendVerification: makeResendVerification({ uow, clock, secrets, policy }),
    ...(policy.enumerationProtection ? {} : { checkEmail: makeCheckEmail({ uow, clock, secrets, policy }) }),
    requestPasswordReset: makeRequestPasswordReset({ uow, clock, secrets, policy }),
    resetPassword: makeResetPassword({
      ...codeCheck,
      users: repositories.users,
      uow,
      hasher,
      revocations,
      passwordPolicy,
    }),
    updateProfile: makeUpdateProfile({ users: repositories.users, uow, hasher, clock, secrets, policy }),
    confirmEmailChange: makeConfirmEmailChange({ ...codeCheck, users: repositories.users, uow }),
    logIn: makeLogIn({
      users: repositories.users,
      uow,
      hasher,
      opaqueTokens,
      accessTokens,
      clock,
      passwordPolicy,
      refreshPolicy,
      loginFailures: { limiter: rateLimiter, rule: config.rateLimits.login_failures },
    }),
    refreshSession: makeRefreshSession({ uow, opaqueTokens, accessTokens, revocations, clock, refreshPolicy }),
    logOut: makeLogOut({ uow, opaqueTokens, revocations, clock }),
    getCurrentUser: makeGetCurrentUser({ users: repositories.users }),
    authenticate: makeAuthenticate({ accessTokens, revocations }),
    authorize: makeAuthorize({ loadAccess, auditLog: repositories.auditLog, clock }),
    checkRateLimit: makeCheckRateLimit({ limiter: rateLimiter, policy: config.rateLimits }),
    checkHealth: makeCheckHealth({
      probes: redis === undefined ? [databaseProbe(database)] : [databaseProbe(database), redis.probe],
      optionalProbes: ["redis"],
      timeoutMs: config.healthCheckTimeoutMs,
      clock,
    }),
  };

  const mail = mailDeliveryFor(config, logger, clock);
  let shuttingDown = false;
  const app = await buildApp({
    ...(mail.devMailbox ? { devMailbox: mail.devMailbox } : {}),
    useCases,
    logger,
    version: config.appVersion,
    bodyLimitBytes: config.bodyLimitBytes,
    corsAllowedOrigins: config.corsAllowedOrigins,
    trustProxy: config.trustProxy,
    isShuttingDown: () => shuttingDown,
    responseFloors: {
      mailRequestsMs: lifecycle.mailRequestResponseFloorMs,
      registerMs: lifecycle.enumerationProtection ? lifecycle.registerResponseFloorMs : undefined,
    },
  });

  const mailSender = mail.mailer && startMailSender(config, logger, clock, database, mail.mailer);

  return {
    app,
    database,
    devMailbox: mail.devMailbox,
    mailSender,
    beginShutdown: () => {
      shuttingDown = true;
    },
    async close() {
      shuttingDown = true;
      await app.close();
      // The sender's round in flight still needs the database; mail it had not reached yet
      // stays queued for the next start.
      await mailSender?.stop();
      mail.close();
      await redis?.close();
      await database.close();
    },
  };
}
