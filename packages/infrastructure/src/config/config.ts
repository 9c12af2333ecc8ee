import type { ChatLimits, RateLimitPolicy } from "@gatehouse/domain";
import type { FederationConfig } from "./federation-config.js";
import type { IdentityBackendConfig } from "./keycloak-config.js";
import type { MfaConfig } from "./mfa-config.js";
import type { ObservabilityConfig } from "./observability-config.js";
import type { PagesConfig } from "./pages-config.js";

/** Where Redis is: one server (`REDIS_URL`) or a Redis Cluster (`REDIS_CLUSTER_NODES`). */
export type RedisTarget =
  | { readonly kind: "single"; readonly url: string }
  | { readonly kind: "cluster"; readonly nodeUrls: readonly string[] };

export interface RedisSettings {
  readonly target: RedisTarget;
  /** A command not answered within this bound fails (the caller falls back); default 200 ms. */
  readonly commandTimeoutMs: number;
  /** Prepended to every key and channel, so several deployments can share one Redis. */
  readonly keyPrefix: string;
}

/** Everything Gatehouse reads from its environment, validated and typed. */
export interface Config {
  /** Metrics and TLS (README "Operations"). */
  readonly observability: ObservabilityConfig;
  readonly federation: FederationConfig;
  /** IDENTITY_BACKEND and KEYCLOAK_* (README, "Keycloak"). */
  readonly identity: IdentityBackendConfig;
  /** PAGES_ENABLED, BRAND_* and the mail link paths (README, "Hosted pages"). */
  readonly pages: PagesConfig;
  /** MFA_ENCRYPTION_KEY (config/mfa-config.ts). */
  readonly mfa: MfaConfig;
  readonly appName: string;
  readonly appEnv: string;
  readonly production: boolean;
  readonly appVersion: string;
  readonly host: string;
  readonly port: number;
  readonly database:
    | {
        readonly kind: "postgres";
        readonly url: string;
        readonly maxConnections: number;
        /** Bound on every query (`statement_timeout` and client side) and connection attempt. */
        readonly queryTimeoutMs: number;
        /** DATABASE_POOLER: set when DATABASE_URL goes through a transaction-pooling PgBouncer. */
        readonly pooler?: "pgbouncer";
        /** DATABASE_MIGRATION_URL: a direct connection for migrations and session-level locks. */
        readonly directUrl?: string;
      }
    | { readonly kind: "pglite"; readonly dataDir: string };
  readonly dataDir: string;
  /** Undefined without `REDIS_URL`/`REDIS_CLUSTER_NODES`: the in-memory adapters serve. */
  readonly redis: RedisSettings | undefined;
  readonly autoMigrate: boolean;
  readonly jwt: {
    /** Undefined when not configured; the server then generates and keeps one in development. */
    readonly secret: string | undefined;
    readonly issuer: string;
    readonly audience: string;
    readonly accessTokenTtlSeconds: number;
    readonly refreshTokenTtlSeconds: number;
    readonly clockToleranceSeconds: number;
    /** JWT_ALGORITHM (its default: `defaultJwtAlgorithm` in load-config.ts, README "Token keys"). */
    readonly algorithm: "EdDSA" | "ES256" | "HS256";
    /**
     * Where the signing key comes from: the secret (HS256), `privateKeyFile`, or the
     * `signing_keys` table (EdDSA/ES256 without a file; private halves under `keyEncryptionKey`).
     */
    readonly keySource: "secret" | "file" | "database";
    /** JWT_KEY_ENCRYPTION_KEY, 32 bytes; undefined when unset (development then generates one in DATA_DIR). */
    readonly keyEncryptionKey: Uint8Array | undefined;
    /** JWT_KEYS_RELOAD_SECONDS: how often a node reloads the database keys, so a rotation reaches it. */
    readonly keysReloadSeconds: number;
    /** JWT_PRIVATE_KEY_FILE: PEM (PKCS#8) of the signing key; required for EdDSA and ES256. */
    readonly privateKeyFile: string | undefined;
    /** JWT_PREVIOUS_PUBLIC_KEY_FILES: PEM public keys that still verify after a rotation. */
    readonly previousPublicKeyFiles: readonly string[];
  };
  readonly refreshReuseGraceSeconds: number;
  /** `SESSION_MAX_LIFETIME_DAYS`: a session's absolute end, however often it is refreshed. */
  readonly sessionMaxLifetimeSeconds: number;
  /** `DEVICE_TOKEN_DAYS`: how long a device stays known (own failure budget) without a new login. */
  readonly deviceTokenTtlSeconds: number;
  /** `LOGIN_DELAY_MAX_SECONDS`: the cap of the progressive delay of untrusted failures; 0 turns it off. */
  readonly loginDelayMaxSeconds: number;
  readonly passwordMinLength: number;
  /** Require upper, lower and digit (NIST SP 800-63B: off by default). */
  readonly passwordComposition: boolean;
  /** The optional online k-anonymity range check (fail open unless `failClosed`). */
  readonly passwordBreachCheck: {
    readonly mode: "off" | "hibp";
    readonly url: string;
    readonly failClosed: boolean;
    /** `PASSWORD_BREACH_FILTER_FILE`: an operator-built Bloom filter of breached hashes, loaded at start. */
    readonly filterFile?: string | undefined;
  };
  readonly argon2MaxConcurrency: number;
  /** `ARGON2_NICE`: the nice value of the hashing threads (0 = the event loop's priority, 19 = lowest). */
  readonly argon2Nice: number;
  /** `LOGIN_QUEUE_MAX`: password hashes that may wait for a slot; one more is shed with 503. */
  readonly loginQueueMax: number;
  /** `LOGIN_QUEUE_RETRY_AFTER_SECONDS`: the `Retry-After` of a shed login. */
  readonly loginQueueRetryAfterSeconds: number;
  readonly refreshTokenRetentionDays: number;
  readonly auditLogRetentionDays: number;
  readonly cleanupBatchSize: number;
  readonly mail: {
    /** Undefined when not configured: development keeps mail in the dev mailbox instead. */
    readonly smtpUrl: string | undefined;
    readonly from: string;
    /** MAIL_TEMPLATES_DIR, resolved: `<template>.<subject|text|html>.eta` overrides; unset: built-ins. */
    readonly templatesDir: string | undefined;
    /** Pause of the outbox sender between rounds that found less than a full batch. */
    readonly pollIntervalMs: number;
    readonly batchSize: number;
    readonly maxAttempts: number;
    /** First retry delay; doubles per attempt up to an hour. */
    readonly retryBaseSeconds: number;
    /** The worker gives up on mail still queued after this long (its codes have expired). */
    readonly giveUpAfterHours: number;
    /** DEV_MAILBOX_TOKEN: a bearer token that opens /dev/mailbox to non-loopback clients; unset: loopback only. */
    readonly devMailboxToken: string | undefined;
  };
  /** The chat protocol's limits and options (README "Chat"). */
  readonly chat: {
    readonly limits: ChatLimits;
    /** Accept `?token=` on the upgrade URL (off: URLs end up in proxy logs). */
    readonly allowQueryToken: boolean;
    /** Days the worker keeps chat messages; 0 = keep them forever. */
    readonly retentionDays: number;
    /** Seconds a node's presence entry counts without renewal (a crashed node's users linger this long); renewed every third. */
    readonly presenceTtlSeconds: number;
  };
  /** Days after a soft delete before the worker anonymises the user; 0 = never. */
  readonly userPurgeAfterDays: number;
  /** Cron pattern of `worker schedule` (5 fields, or 6 with seconds first). */
  readonly workerSchedule: string;
  readonly healthCheckTimeoutMs: number;
  readonly shutdownTimeoutSeconds: number;
  /** Seconds readiness reports 503 while the listener still accepts, before draining starts. */
  readonly shutdownDrainDelaySeconds: number;
  readonly bodyLimitBytes: number;
  readonly corsAllowedOrigins: readonly string[];
  /** Sliding-window limits per category (README, "Rate limiting"), from `RATE_LIMIT_<CATEGORY>_*`. */
  readonly rateLimits: RateLimitPolicy;
  /**
   * `RATE_LIMIT_REFUSALS_FLUSH_SECONDS`: how often an instance writes the refusals it counted in
   * memory (the admin dashboard's "Rate-limited requests"); they are also written at shutdown.
   */
  readonly rateLimitRefusalsFlushSeconds: number;
  /**
   * Which proxies may name the client in `X-Forwarded-For` (Fastify's `trustProxy`): false
   * (the socket address is the client), a hop count, or the proxies' addresses and CIDRs.
   */
  readonly trustProxy: TrustProxy;
  /**
   * BOOTSTRAP_ADMIN_EMAIL + BOOTSTRAP_ADMIN_PASSWORD (+ BOOTSTRAP_ADMIN_USERNAME, default
   * `admin`): a super_admin created at start when none exists. Undefined when not set.
   */
  readonly bootstrapAdmin: { readonly email: string; readonly username: string; readonly password: string } | undefined;
  /** Self-service account lifecycle (README, "Account lifecycle"). */
  readonly lifecycle: {
    readonly requireEmailVerification: boolean;
    readonly requireAdminApproval: boolean;
    readonly verificationTtlHours: number;
    readonly passwordResetTtlMinutes: number;
    readonly resendCooldownSeconds: number;
    readonly resendMaxPerDay: number;
    /** Where links in emails point; never taken from a request's Host header. */
    readonly publicBaseUrl: string;
    /** Registering a taken email answers like a new registration (and mails the owner). */
    readonly enumerationProtection: boolean;
    /** Forgot-password and resend answer no sooner than this, so timing does not tell accounts apart. */
    readonly mailRequestResponseFloorMs: number;
    /** Registration answers no sooner than this when enumeration protection is on. */
    readonly registerResponseFloorMs: number;
  };
  readonly logLevel: string;
  readonly logPretty: boolean;
}

/** `TRUST_PROXY`, in the terms Fastify's `trustProxy` option takes. */
export type TrustProxy = false | number | readonly string[];
