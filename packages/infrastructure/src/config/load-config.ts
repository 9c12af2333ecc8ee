import { existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { parseEnv } from "node:util";
import type { Config } from "./config.js";
import {
  ConfigError,
  checkOrigins,
  checkUrl,
  type DefaultObserver,
  type Env,
  optionalUrl,
  Reader,
} from "./env-reader.js";
import { readFederation } from "./federation-config.js";
import { readIdentityBackend } from "./keycloak-config.js";
import { readMfaConfig } from "./mfa-config.js";
import { readObservability } from "./observability-config.js";
import { readPages } from "./pages-config.js";
import { readChatLimits, readRateLimits, readRedis, readTrustProxy } from "./traffic-config.js";

// Split by concern: env-reader.ts (the reader and its errors), traffic-config.ts (Redis, rate
// limits, proxies, chat), federation-config.ts and observability-config.ts; this file assembles.

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/**
 * Every core: hashes run on worker threads at a lower priority (`ARGON2_NICE`), so a login flood
 * takes only the CPU the event loop leaves idle and token checks need no core kept free.
 */
export function defaultArgon2Concurrency(): number {
  return availableParallelism();
}

/** Reads `.env` from `cwd` when present. Values already in the environment win. */
export function readDotEnv(cwd: string): Record<string, string> {
  const path = resolve(cwd, ".env");
  if (!existsSync(path)) return {};
  return parseEnv(readFileSync(path, "utf8")) as Record<string, string>;
}

function bootstrapAdmin(read: Reader): Config["bootstrapAdmin"] {
  const email = read.raw("BOOTSTRAP_ADMIN_EMAIL");
  // Read untrimmed: a password may legitimately start or end with a space.
  const password = read.rawUntrimmed("BOOTSTRAP_ADMIN_PASSWORD");
  if (email === undefined && password === undefined) return undefined;
  if (email === undefined || password === undefined) {
    throw new ConfigError("BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD must be set together");
  }
  return { email, password, username: read.string("BOOTSTRAP_ADMIN_USERNAME", "admin") };
}

function optionalPath(value: string | undefined, cwd: string): string | undefined {
  return value === undefined ? undefined : resolve(cwd, value);
}

/** JWT_KEY_ENCRYPTION_KEY: 32 random bytes in base64 (`openssl rand -base64 32`); never echoed. */
function keyEncryptionKeyOf(value: string | undefined): Uint8Array | undefined {
  if (value === undefined) return undefined;
  const bytes = Buffer.from(value, "base64");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) || bytes.byteLength !== 32) {
    throw new ConfigError("JWT_KEY_ENCRYPTION_KEY must be 32 bytes in base64 (openssl rand -base64 32)");
  }
  return new Uint8Array(bytes);
}

/**
 * JWT_ALGORITHM when unset: EdDSA with database keys when a key-encryption key is configured (what
 * .env.example sets up for a new install); HS256 when only JWT_SECRET is (every install from before
 * database keys, which keeps working unchanged); EdDSA with database keys outside production when
 * neither is (the key-encryption key is then generated in DATA_DIR). Production with neither fails
 * at start, naming both variables.
 */
function defaultJwtAlgorithm(
  keyEncryptionKey: Uint8Array | undefined,
  secret: string | undefined,
  production: boolean,
) {
  if (keyEncryptionKey !== undefined) return "EdDSA";
  if (secret !== undefined || production) return "HS256";
  return "EdDSA";
}

/** A token short enough to guess would open every mailed code to the network. */
function devMailboxToken(token: string | undefined): string | undefined {
  if (token !== undefined && token.length < 24)
    throw new ConfigError("DEV_MAILBOX_TOKEN must be at least 24 characters");
  return token;
}

/**
 * Builds the configuration: environment first, then `.env`, then defaults (README, "Configuration").
 * Throws ConfigError on the first invalid value; secrets are never echoed in the message.
 */
export function loadConfig(env: Env = process.env, cwd = process.cwd(), onDefault?: DefaultObserver): Config {
  const read = new Reader({ ...readDotEnv(cwd), ...env }, onDefault);
  const appEnv = read.string("APP_ENV", read.string("NODE_ENV", "development"));
  const production = appEnv === "production" || read.raw("NODE_ENV") === "production";
  const dataDir = resolve(cwd, read.string("DATA_DIR", "./.data"));
  const databaseUrl = read.raw("DATABASE_URL");

  const secret = read.raw("JWT_SECRET");
  if (secret !== undefined && Buffer.byteLength(secret, "utf8") < 32) {
    throw new ConfigError("JWT_SECRET must be at least 32 bytes long");
  }

  const keyEncryptionKey = keyEncryptionKeyOf(read.raw("JWT_KEY_ENCRYPTION_KEY"));
  const jwtAlgorithm = read.oneOf("JWT_ALGORITHM", defaultJwtAlgorithm(keyEncryptionKey, secret, production), [
    "EdDSA",
    "ES256",
    "HS256",
  ]) as Config["jwt"]["algorithm"];
  const privateKeyFile = read.raw("JWT_PRIVATE_KEY_FILE");
  const keySource = jwtAlgorithm === "HS256" ? "secret" : privateKeyFile !== undefined ? "file" : "database";
  // Only a start with nothing configured outside production generates the key-encryption key;
  // an operator who names an asymmetric algorithm is told what it needs.
  if (
    keySource === "database" &&
    keyEncryptionKey === undefined &&
    (read.raw("JWT_ALGORITHM") !== undefined || production)
  ) {
    throw new ConfigError(
      `JWT_PRIVATE_KEY_FILE or JWT_KEY_ENCRYPTION_KEY is required when JWT_ALGORITHM is ${jwtAlgorithm}`,
    );
  }

  const port = read.int("APP_PORT", 8080, 0, 65_535);
  const publicBaseUrl = checkUrl(
    "PUBLIC_BASE_URL",
    read.string("PUBLIC_BASE_URL", `http://localhost:${port === 0 ? 8080 : port}`),
    ["http:", "https:"],
  ).replace(/\/+$/, "");
  const appName = read.string("APP_NAME", "gatehouse");
  const pages = readPages(read);
  return {
    appName,
    appEnv,
    production,
    appVersion: read.string("APP_VERSION", "0.1.0"),
    host: read.string("APP_HOST", "0.0.0.0"),
    port,
    database:
      databaseUrl === undefined
        ? { kind: "pglite", dataDir: resolve(dataDir, "pglite") }
        : {
            kind: "postgres",
            url: checkUrl("DATABASE_URL", databaseUrl, ["postgres:", "postgresql:"]),
            maxConnections: read.int("DATABASE_MAX_CONNECTIONS", 10, 1, 1000),
            queryTimeoutMs: read.int("DATABASE_QUERY_TIMEOUT_MS", 5000, 100, 600_000),
            ...readPooler(read, checkUrl("DATABASE_URL", databaseUrl, ["postgres:", "postgresql:"])),
          },
    dataDir,
    autoMigrate: read.bool("DB_AUTO_MIGRATE", true),
    redis: readRedis(read),
    jwt: {
      secret,
      issuer: read.string("JWT_ISSUER", "gatehouse"),
      audience: read.string("JWT_AUDIENCE", "gatehouse-api"),
      accessTokenTtlSeconds: read.int("JWT_ACCESS_TOKEN_EXPIRATION_MINUTES", 15, 1, 24 * 60) * 60,
      refreshTokenTtlSeconds: read.int("JWT_REFRESH_TOKEN_EXPIRATION_DAYS", 7, 1, 365) * 86_400,
      clockToleranceSeconds: read.int("JWT_CLOCK_TOLERANCE_SECONDS", 30, 0, 60),
      algorithm: jwtAlgorithm,
      privateKeyFile: privateKeyFile === undefined ? undefined : resolve(cwd, privateKeyFile),
      keySource,
      keyEncryptionKey,
      keysReloadSeconds: read.int("JWT_KEYS_RELOAD_SECONDS", 30, 1, 3600),
      previousPublicKeyFiles: read.list("JWT_PREVIOUS_PUBLIC_KEY_FILES").map((file) => resolve(cwd, file)),
    },
    refreshReuseGraceSeconds: read.int("REFRESH_REUSE_GRACE_SECONDS", 10, 0, 300),
    sessionMaxLifetimeSeconds: read.int("SESSION_MAX_LIFETIME_DAYS", 30, 1, 3650) * 86_400,
    deviceTokenTtlSeconds: read.int("DEVICE_TOKEN_DAYS", 90, 1, 3650) * 86_400,
    loginDelayMaxSeconds: read.int("LOGIN_DELAY_MAX_SECONDS", 30, 0, 3600),
    passwordMinLength: read.int("PASSWORD_MIN_LENGTH", 8, 8, 128),
    passwordComposition: read.bool("PASSWORD_REQUIRE_COMPOSITION", false),
    passwordBreachCheck: {
      mode: read.oneOf("PASSWORD_BREACH_CHECK", "off", ["off", "hibp"]) === "hibp" ? "hibp" : "off",
      url: optionalUrl(read, "PASSWORD_BREACH_CHECK_URL", ["https:", "http:"]) ?? "https://api.pwnedpasswords.com",
      failClosed: read.bool("PASSWORD_BREACH_CHECK_FAIL_CLOSED", false),
      filterFile: optionalPath(read.raw("PASSWORD_BREACH_FILTER_FILE"), cwd),
    },
    argon2MaxConcurrency: read.int("ARGON2_MAX_CONCURRENCY", defaultArgon2Concurrency(), 1, 256),
    argon2Nice: read.int("ARGON2_NICE", 10, 0, 19),
    loginQueueMax: read.int("LOGIN_QUEUE_MAX", 64, 1, 100_000),
    loginQueueRetryAfterSeconds: read.int("LOGIN_QUEUE_RETRY_AFTER_SECONDS", 1, 1, 3600),
    refreshTokenRetentionDays: read.int("REFRESH_TOKEN_RETENTION_DAYS", 30, 1, 3650),
    auditLogRetentionDays: read.int("AUDIT_LOG_RETENTION_DAYS", 90, 1, 36_500),
    cleanupBatchSize: read.int("CLEANUP_BATCH_SIZE", 1000, 1, 100_000),
    mail: {
      smtpUrl: optionalUrl(read, "SMTP_URL", ["smtp:", "smtps:"]),
      from: read.string("MAIL_FROM", "Gatehouse <no-reply@localhost>"),
      templatesDir: optionalPath(read.raw("MAIL_TEMPLATES_DIR"), cwd),
      pollIntervalMs: read.int("MAIL_POLL_INTERVAL_MS", 1000, 10, 60_000),
      batchSize: read.int("MAIL_BATCH_SIZE", 20, 1, 1000),
      maxAttempts: read.int("MAIL_MAX_ATTEMPTS", 8, 1, 100),
      retryBaseSeconds: read.int("MAIL_RETRY_BASE_SECONDS", 30, 1, 3600),
      giveUpAfterHours: read.int("MAIL_GIVE_UP_AFTER_HOURS", 24, 1, 24 * 365),
      devMailboxToken: devMailboxToken(read.raw("DEV_MAILBOX_TOKEN")),
    },
    chat: {
      limits: readChatLimits(read),
      allowQueryToken: read.bool("CHAT_ALLOW_QUERY_TOKEN", false),
      retentionDays: read.int("CHAT_RETENTION_DAYS", 0, 0, 36_500),
      presenceTtlSeconds: read.int("CHAT_PRESENCE_TTL_SECONDS", 30, 3, 3600),
    },
    userPurgeAfterDays: read.int("USER_PURGE_AFTER_DAYS", 30, 0, 36_500),
    workerSchedule: read.string("WORKER_SCHEDULE", "15 3 * * *"),
    healthCheckTimeoutMs: read.int("HEALTH_CHECK_TIMEOUT_MS", 5000, 10, 60_000),
    shutdownTimeoutSeconds: read.int("SHUTDOWN_TIMEOUT_SECONDS", 30, 1, 3600),
    shutdownDrainDelaySeconds: read.int("SHUTDOWN_DRAIN_DELAY_SECONDS", 0, 0, 3600),
    bodyLimitBytes: read.int("BODY_LIMIT_BYTES", 65_536, 1024, 10_485_760),
    corsAllowedOrigins: checkOrigins("CORS_ALLOWED_ORIGINS", read.list("CORS_ALLOWED_ORIGINS")),
    rateLimits: readRateLimits(read, production),
    rateLimitRefusalsFlushSeconds: read.int("RATE_LIMIT_REFUSALS_FLUSH_SECONDS", 15, 1, 300),
    trustProxy: readTrustProxy(read),
    bootstrapAdmin: bootstrapAdmin(read),
    lifecycle: {
      requireEmailVerification: read.bool("REQUIRE_EMAIL_VERIFICATION", true),
      requireAdminApproval: read.bool("REQUIRE_ADMIN_APPROVAL", false),
      verificationTtlHours: read.int("VERIFICATION_TTL_HOURS", 24, 1, 24 * 30),
      passwordResetTtlMinutes: read.int("PASSWORD_RESET_TTL_MINUTES", 15, 1, 24 * 60),
      resendCooldownSeconds: read.int("RESEND_COOLDOWN_SECONDS", 60, 0, 86_400),
      resendMaxPerDay: read.int("RESEND_MAX_PER_DAY", 5, 1, 10_000),
      publicBaseUrl,
      enumerationProtection: read.bool("ENUMERATION_PROTECTION", false),
      mailRequestResponseFloorMs: read.int("MAIL_REQUEST_RESPONSE_FLOOR_MS", 250, 0, 10_000),
      registerResponseFloorMs: read.int("REGISTER_RESPONSE_FLOOR_MS", 750, 0, 30_000),
    },
    logLevel: read.oneOf("LOG_LEVEL", "info", LOG_LEVELS),
    logPretty: read.bool("LOG_PRETTY", !production && process.stdout.isTTY === true),
    observability: readObservability(read, cwd, (message) => {
      throw new ConfigError(message);
    }),
    federation: readFederation(
      read,
      production,
      (message) => {
        throw new ConfigError(message);
      },
      pages.enabled,
    ),
    identity: readIdentityBackend(read, production),
    pages,
    mfa: readMfaConfig(read, { publicBaseUrl, appName }),
  };
}

/**
 * DATABASE_POOLER and DATABASE_MIGRATION_URL. `auto` (the default) takes a URL on port 6432,
 * PgBouncer's own default, as PgBouncer. Behind a transaction pooler nothing is prepared
 * server-side, and the session-level advisory locks of migrations and job locks go to the
 * direct connection, so one is required.
 */
function readPooler(read: Reader, databaseUrl: string) {
  const setting = read.oneOf("DATABASE_POOLER", "auto", ["auto", "none", "pgbouncer"]);
  const migrationUrl = read.raw("DATABASE_MIGRATION_URL");
  const directUrl =
    migrationUrl === undefined
      ? undefined
      : checkUrl("DATABASE_MIGRATION_URL", migrationUrl, ["postgres:", "postgresql:"]);
  const pooled = setting === "pgbouncer" || (setting === "auto" && new URL(databaseUrl).port === "6432");
  if (pooled && directUrl === undefined) {
    throw new ConfigError(
      "DATABASE_MIGRATION_URL is required behind PgBouncer (DATABASE_POOLER, or DATABASE_URL on port 6432): migrations and job locks hold session-level advisory locks, which need a direct connection to PostgreSQL",
    );
  }
  return { ...(pooled ? { pooler: "pgbouncer" as const } : {}), ...(directUrl === undefined ? {} : { directUrl }) };
}
