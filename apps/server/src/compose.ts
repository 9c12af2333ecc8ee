import { randomUUID } from "node:crypto";
import { type ApiUseCases, buildApp, type GatehouseApp, type RbacUseCases } from "@gatehouse/api";
import {
  type AccessInvalidation,
  instrumentCache,
  instrumentLogIn,
  instrumentPasswordHasher,
  instrumentRateLimiter,
  instrumentRegisterUser,
  instrumentUnitOfWork,
  makeAccessInvalidation,
  makeApproveUser,
  makeAssignUserRoles,
  makeAuthenticate,
  makeAuthorize,
  makeChangePassword,
  makeCheckEmail,
  makeCheckHealth,
  makeCheckRateLimit,
  makeConfirmEmailChange,
  makeCreatePermission,
  makeCreateRole,
  makeCreateUser,
  makeDeactivateAccount,
  makeDeleteAccount,
  makeDeleteRole,
  makeDeleteUser,
  makeDeleteUserPermanently,
  makeDeliverDueMail,
  makeDescribeHost,
  makeGetCurrentUser,
  makeGetUser,
  makeGetUserStatistics,
  makeGrantRolePermissions,
  makeListAuditLogs,
  makeListPermissions,
  makeListRoles,
  makeListSessions,
  makeListUsers,
  makeLoadAccess,
  makeLogIn,
  makeLogOut,
  makeReactivateAccount,
  makeReactivateUser,
  makeRefreshSession,
  makeRegisterUser,
  makeRequestPasswordReset,
  makeResendVerification,
  makeResetPassword,
  makeRestoreUser,
  makeRevokeRolePermission,
  makeRevokeSession,
  makeSuspendUser,
  makeUnassignUserRole,
  makeUpdateProfile,
  makeUpdateRole,
  makeUpdateUser,
  makeVerifyEmail,
} from "@gatehouse/application";
import {
  type Clock,
  DEFAULT_PASSWORD_POLICY,
  type HealthProbe,
  type Mailer,
  type RateLimiter,
  type RoleRepository,
  type UnitOfWork,
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
  makeHostInfo,
  makeJoseAccessTokens,
  makeMailQueue,
  makeSmtpMailer,
  makeUnitOfWork,
  opaqueTokens,
  openDatabase,
  openRedis,
  pingDatabase,
  RedisCache,
  type RedisConnection,
  RedisRateLimiter,
  RedisSessionRevocations,
  repositoriesOn,
  resolveJwtSecret,
  runMigrations,
  systemClock,
} from "@gatehouse/infrastructure";

import { createAdminAccount } from "./admin-account.js";
import { createObservability, type Observability } from "./observability-wiring.js";
import { type OutboxSender, startOutboxSender } from "./outbox-sender.js";

export interface Server {
  readonly app: GatehouseApp;
  readonly database: DatabaseHandle;
  /** Where mail goes without SMTP_URL outside production; undefined otherwise. */
  readonly devMailbox: DevMailbox | undefined;
  /** The in-process outbox sender; undefined when there is nowhere to deliver to. */
  readonly mailSender: OutboxSender | undefined;
  /** Metrics, the management listener and TLS reloading (README "Operations"). */
  readonly observability: Observability;
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

function rbacUseCases(uow: UnitOfWork, roles: RoleRepository, clock: Clock, invalidate: AccessInvalidation) {
  const change = { uow, clock, invalidate };
  return {
    listRoles: makeListRoles({ roles }),
    createRole: makeCreateRole(change),
    updateRole: makeUpdateRole(change),
    deleteRole: makeDeleteRole(change),
    grantRolePermissions: makeGrantRolePermissions(change),
    revokeRolePermission: makeRevokeRolePermission(change),
    listPermissions: makeListPermissions({ roles }),
    createPermission: makeCreatePermission(change),
    assignUserRoles: makeAssignUserRoles(change),
    unassignUserRole: makeUnassignUserRole(change),
  } satisfies RbacUseCases;
}

/** BOOTSTRAP_ADMIN_*: a super_admin when none exists; concurrent starts create one between them. */
async function applyBootstrapAdmin(config: Config, database: DatabaseHandle, logger: Logger): Promise<void> {
  if (config.bootstrapAdmin === undefined) return;
  const result = await createAdminAccount(config, database, config.bootstrapAdmin, {
    onlyIfNone: true,
    origin: "bootstrap",
  });
  if (result.created) {
    logger.warn(
      { user_id: result.user.id, username: result.user.username },
      "created the bootstrap super_admin from BOOTSTRAP_ADMIN_*: change its password and unset BOOTSTRAP_ADMIN_PASSWORD",
    );
  } else {
    logger.info("a super_admin exists: BOOTSTRAP_ADMIN_* ignored");
  }
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
  const observability = createObservability(config, logger);
  const { telemetry } = observability;
  const database = overrides.database ?? (await openDatabase(config.database, observability.queryObserver));
  if (config.autoMigrate) await runMigrations(database);
  await applyBootstrapAdmin(config, database, logger);
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
  const hasher = instrumentPasswordHasher(makeArgon2Hasher({ maxConcurrency: config.argon2MaxConcurrency }), telemetry);
  await hasher.ready();
  const uow = instrumentUnitOfWork(makeUnitOfWork(database.db), telemetry);
  const repositories = repositoriesOn(database.db);

  const revocationWindowSeconds = config.jwt.accessTokenTtlSeconds + config.jwt.clockToleranceSeconds;
  const revokedInDatabaseSince = (since: Date) => repositories.refreshTokens.familiesRevokedSince(since);
  let revocations: MemorySessionRevocations | RedisSessionRevocations;
  if (redis === undefined) {
    const local = new MemorySessionRevocations(clock, revocationWindowSeconds);
    local.seed(await revokedInDatabaseSince(new Date(clock.now().getTime() - revocationWindowSeconds * 1000)));
    revocations = local;
  } else {
    revocations = await RedisSessionRevocations.open({
      redis,
      clock,
      retainSeconds: revocationWindowSeconds,
      revokedInDatabaseSince,
      logger,
    });
  }

  const redisCache = redis === undefined ? undefined : await RedisCache.open(redis, logger, clock);
  const cache = instrumentCache(redisCache ?? new MemoryCache(clock), telemetry);
  const probes: HealthProbe[] = [databaseProbe(database)];
  if (redis !== undefined && redisCache !== undefined) {
    probes.push({ ...redis.probe, details: async () => ({ mode: redis.mode, cache: redisCache.stats() }) });
  }
  const loadAccess = makeLoadAccess({ users: repositories.users, cache });
  const invalidate = makeAccessInvalidation({ roles: repositories.roles, cache });

  const rateLimiter = instrumentRateLimiter(rateLimiterFor(redis, clock, logger), telemetry);

  const passwordPolicy = { ...DEFAULT_PASSWORD_POLICY, minLength: config.passwordMinLength };
  const refreshPolicy = {
    ttlSeconds: config.jwt.refreshTokenTtlSeconds,
    reuseGraceSeconds: config.refreshReuseGraceSeconds,
  };
  // What every administrative change to a user needs: one transaction, then revocation and cache invalidation.
  const adminChange = { uow, clock, cache, revocations };
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
    registerUser: instrumentRegisterUser(
      makeRegisterUser({ uow, hasher, clock, passwordPolicy, secrets, policy, newId: randomUUID }),
      telemetry,
    ),
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
    logIn: instrumentLogIn(
      makeLogIn({
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
      telemetry,
    ),
    refreshSession: makeRefreshSession({
      uow,
      opaqueTokens,
      accessTokens,
      revocations,
      clock,
      refreshPolicy,
      telemetry,
    }),
    logOut: makeLogOut({ uow, opaqueTokens, revocations, clock }),
    getCurrentUser: makeGetCurrentUser({ users: repositories.users, cache }),
    authenticate: makeAuthenticate({ accessTokens, revocations }),
    authorize: makeAuthorize({ loadAccess, auditLog: repositories.auditLog, clock }),
    checkRateLimit: makeCheckRateLimit({ limiter: rateLimiter, policy: config.rateLimits }),
    checkHealth: makeCheckHealth({
      probes,
      optionalProbes: ["redis"],
      timeoutMs: config.healthCheckTimeoutMs,
      clock,
    }),
    listUsers: makeListUsers({ users: repositories.users }),
    getUserStatistics: makeGetUserStatistics({ users: repositories.users, clock }),
    getUser: makeGetUser({ users: repositories.users }),
    createUser: makeCreateUser({ uow, users: repositories.users, hasher, clock, passwordPolicy }),
    updateUser: makeUpdateUser(adminChange),
    deleteUser: makeDeleteUser(adminChange),
    restoreUser: makeRestoreUser(adminChange),
    deleteUserPermanently: makeDeleteUserPermanently(adminChange),
    approveUser: makeApproveUser(adminChange),
    suspendUser: makeSuspendUser(adminChange),
    reactivateUser: makeReactivateUser(adminChange),
    listAuditLogs: makeListAuditLogs({ auditLog: repositories.auditLog }),
    rbac: rbacUseCases(uow, repositories.roles, clock, invalidate),
    changePassword: makeChangePassword({
      users: repositories.users,
      uow,
      hasher,
      clock,
      passwordPolicy,
      revocations,
      cache,
    }),
    deactivateAccount: makeDeactivateAccount({ users: repositories.users, uow, hasher, clock, revocations, cache }),
    reactivateAccount: makeReactivateAccount({ users: repositories.users, uow, hasher, clock, passwordPolicy, cache }),
    deleteAccount: makeDeleteAccount({ users: repositories.users, uow, hasher, clock, revocations, cache }),
    listSessions: makeListSessions({ refreshTokens: repositories.refreshTokens, clock }),
    revokeSession: makeRevokeSession({ uow, clock, revocations }),
  };

  const mail = mailDeliveryFor(config, logger, clock);
  let shuttingDown = false;
  const app = await buildApp({
    ...(mail.devMailbox ? { devMailbox: mail.devMailbox } : {}),
    ...observability.appOptions,
    describeHost: makeDescribeHost({ loadAccess, hostInfo: makeHostInfo() }),
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
  await observability.start({ app, database, redis, redisCache });

  return {
    app,
    database,
    devMailbox: mail.devMailbox,
    mailSender,
    observability,
    beginShutdown: () => {
      shuttingDown = true;
    },
    async close() {
      shuttingDown = true;
      await app.close();
      await observability.close();
      // The sender's round in flight still needs the database; mail it had not reached yet
      // stays queued for the next start.
      await mailSender?.stop();
      mail.close();
      if (revocations instanceof RedisSessionRevocations) revocations.close();
      await redis?.close();
      await database.close();
    },
  };
}
