import { instrumentCache, instrumentRateLimiter } from "@gatehouse/application";
import type {
  Cache,
  Clock,
  HealthProbe,
  Mailer,
  OneTimeSecrets,
  RateLimiter,
  RevokedSessionsFeed,
  SessionRevocations,
} from "@gatehouse/domain";
import {
  type Config,
  type DatabaseHandle,
  DevMailbox,
  FallbackRateLimiter,
  type Logger,
  loadMailTemplateOverrides,
  MemoryCache,
  MemoryRateLimiter,
  MemorySessionRevocations,
  makeDevMailer,
  makeHmacOneTimeSecrets,
  makeSmtpMailer,
  openRedis,
  pingDatabase,
  RedisCache,
  type RedisConnection,
  RedisRateLimiter,
  RedisSessionRevocations,
  type SignedAccessTokens,
} from "@gatehouse/infrastructure";
import type { Adapters } from "./adapters.js";
import { type RefusalCounting, startRefusalCounting } from "./rate-limit-refusals.js";
import { openAccessTokenKeys, type ServerSecret } from "./token-keys.js";
import { traced } from "./tracing.js";

/** The Redis commands traced one span each (README "Operations → Tracing"). */
const REDIS_COMMANDS = ["get", "set", "del", "zRangeByScore", "runScript", "publish"] as const;

/** What only the HTTP server needs on top of the shared adapters. */
export interface ServingAdapters extends RefusalCounting {
  readonly logger: Logger;
  /** The shared Redis connection when REDIS_URL/REDIS_CLUSTER_NODES is set (chat fan-out uses it). */
  readonly redis: RedisConnection | undefined;
  /** The Redis cache when Redis is configured (metrics sample its error count). */
  readonly redisCache: RedisCache | undefined;
  readonly accessTokens: SignedAccessTokens;
  /** Also a feed of revoked sessions, so open chat sockets close with them. */
  readonly revocations: SessionRevocations & RevokedSessionsFeed;
  readonly cache: Cache;
  readonly probes: readonly HealthProbe[];
  readonly rateLimiter: RateLimiter;
  /** Codes and link tokens are hashed under a key derived from the server secret. */
  readonly secrets: OneTimeSecrets;
  /** Where mail goes; undefined in production without SMTP_URL (it stays queued). */
  readonly mailer: Mailer | undefined;
  /** Where mail goes without SMTP_URL outside production; undefined otherwise. */
  readonly devMailbox: DevMailbox | undefined;
  /** Fails SMTP sends still in flight (their rows are retried later); `close` does it too. */
  closeMail(): void;
  close(): Promise<void>;
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
  // Loaded (and each override test-rendered) before anything is sent: a bad one stops the start.
  const templates = loadMailTemplateOverrides(config.mail.templatesDir);
  if (templates) logger.info({ files: templates.files }, "mail templates overridden from MAIL_TEMPLATES_DIR");
  if (config.mail.smtpUrl !== undefined) {
    const smtp = traced(
      config,
      makeSmtpMailer({ url: config.mail.smtpUrl, from: config.mail.from, product, templates }),
      "smtp",
      ["send"],
    );
    // Not awaited: a mail server that is down delays nothing; the outbox keeps the mail until it answers.
    void smtp.check().then((problem) => {
      if (problem !== undefined) logger.warn(problem);
    });
    return { mailer: smtp, devMailbox: undefined, close: () => smtp.close() };
  }
  if (config.production) {
    logger.warn("SMTP_URL is not set: outgoing mail stays queued in mail_outbox until it is");
    return { mailer: undefined, devMailbox: undefined, close: () => {} };
  }
  const devMailbox = new DevMailbox();
  logger.warn(
    `development mailbox is on (SMTP_URL is not set): GET /dev/mailbox shows every mail, codes included, to loopback clients${config.mail.devMailboxToken ? " and to holders of DEV_MAILBOX_TOKEN" : ""}`,
  );
  const mailer = makeDevMailer(devMailbox, logger, product, () => clock.now(), templates);
  return { mailer, devMailbox, close: () => {} };
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
 * Revoked sessions: in Redis when configured (shared by every node), else in memory, seeded
 * from the database with the families revoked within one access-token lifetime.
 */
async function revocationsFor(
  config: Config,
  logger: Logger,
  adapters: Adapters,
  redis: RedisConnection | undefined,
): Promise<MemorySessionRevocations | RedisSessionRevocations> {
  const { clock, repositories } = adapters;
  const retainSeconds = config.jwt.accessTokenTtlSeconds + config.jwt.clockToleranceSeconds;
  const revokedInDatabaseSince = (since: Date) => repositories.refreshTokens.familiesRevokedSince(since);
  if (redis !== undefined) {
    return RedisSessionRevocations.open({ redis, clock, retainSeconds, revokedInDatabaseSince, logger });
  }
  const local = new MemorySessionRevocations(clock, retainSeconds);
  local.seed(await revokedInDatabaseSince(new Date(clock.now().getTime() - retainSeconds * 1000)));
  return local;
}

/** Opens Redis (when configured), the token keys, the cache, the rate limiter and the mailer. */
export async function openServingAdapters(
  config: Config,
  logger: Logger,
  adapters: Adapters,
  jwt: ServerSecret,
): Promise<ServingAdapters> {
  const { clock, database } = adapters;
  if (jwt.generated) {
    logger.warn({ path: jwt.path }, "JWT_SECRET is not set: using a generated development secret kept in DATA_DIR");
  }
  const tokenKeys = await openAccessTokenKeys(config, logger, adapters, jwt);
  const { accessTokens } = tokenKeys;
  await adapters.hasher.ready();
  // Connects in the background: a Redis outage at start degrades readiness, it does not stop the start.
  const redis =
    config.redis === undefined
      ? undefined
      : traced(config, openRedis(config.redis, logger), "redis", [...REDIS_COMMANDS]);
  const revocations = await revocationsFor(config, logger, adapters, redis);
  const redisCache = redis === undefined ? undefined : await RedisCache.open(redis, logger, clock);
  const probes: HealthProbe[] = [databaseProbe(database)];
  if (redis !== undefined && redisCache !== undefined) {
    probes.push({ ...redis.probe, details: async () => ({ mode: redis.mode, cache: redisCache.stats() }) });
  }
  const mail = mailDeliveryFor(config, logger, clock);
  tokenKeys.start();
  const counting = startRefusalCounting(config, adapters, logger);
  return {
    ...counting,
    logger,
    redis,
    redisCache,
    accessTokens,
    revocations,
    cache: instrumentCache(redisCache ?? new MemoryCache(clock), adapters.telemetry),
    probes,
    rateLimiter: instrumentRateLimiter(rateLimiterFor(redis, clock, logger), adapters.telemetry),
    secrets: makeHmacOneTimeSecrets(jwt.secret),
    mailer: mail.mailer,
    devMailbox: mail.devMailbox,
    closeMail: () => mail.close(),
    async close() {
      tokenKeys.close();
      mail.close();
      // Before the database closes (the caller closes it after this): the last interval's refusals.
      await counting.refusals.stop().catch((error: unknown) => {
        logger.warn({ err: error }, "rate-limit refusal counts lost at shutdown");
      });
      if (revocations instanceof RedisSessionRevocations) revocations.close();
      await redis?.close();
    },
  };
}
