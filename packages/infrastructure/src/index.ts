export { MemoryCache } from "./cache/memory-cache.js";
export { makeChatRepository, makeChatUnitOfWork } from "./chat/chat-repository.js";
export { MemoryChatBus } from "./chat/memory-chat-bus.js";
export { MemoryChatPresenceBoard, type MemoryPresenceSpace } from "./chat/memory-chat-presence-board.js";
export { RedisChatBus } from "./chat/redis-chat-bus.js";
export { RedisChatPresenceBoard } from "./chat/redis-chat-presence-board.js";
export type { Config, RedisSettings, RedisTarget, TrustProxy } from "./config/config.js";
export { ConfigError } from "./config/env-reader.js";
export type { FederationConfig, FederationProviderConfig } from "./config/federation-config.js";
export {
  derivedCodeSecret,
  resolveJwtSecret,
  resolveKeycloakSyncKey,
  resolveKeyEncryptionKey,
} from "./config/jwt-secret.js";
export type { IdentityBackendConfig, KeycloakConfig } from "./config/keycloak-config.js";
export { defaultArgon2Concurrency, loadConfig, readDotEnv } from "./config/load-config.js";
export { CONFIG_VARIABLES, lookalikeVariableWarnings } from "./config/lookalike-variables.js";
export { type MfaConfig, resolveMfaKeys } from "./config/mfa-config.js";
export type { ObservabilityConfig } from "./config/observability-config.js";
export type { PagesConfig } from "./config/pages-config.js";
export { RATE_LIMIT_ENV } from "./config/traffic-config.js";
export { makeAuditLog } from "./db/audit-log.js";
export { DataDirInUseError } from "./db/data-dir-lock.js";
export {
  type Database,
  type DatabaseHandle,
  type DatabaseTarget,
  openDatabase,
  pingDatabase,
  rowsOf,
} from "./db/database.js";
export { describeDatabaseFailure } from "./db/database-failure.js";
export { makeFederationUnitOfWork } from "./db/federation-repository.js";
export {
  type KeycloakBoxes,
  makeKeycloakSessionStore,
  makeKeycloakSyncOutbox,
  makeKeycloakSyncQueue,
  makeKeycloakSyncUnitOfWork,
} from "./db/keycloak-sync-outbox.js";
export { makeMailQueue } from "./db/mail-outbox.js";
export { makeMailThrottle } from "./db/mail-throttle.js";
export { makeJobLock, makeMaintenanceRepository } from "./db/maintenance.js";
export { makeMfaRepository } from "./db/mfa-repository.js";
export { countPendingMigrations, DEFAULT_MIGRATIONS_DIR, type MigrationProgress, runMigrations } from "./db/migrate.js";
export { makeOneTimeCodeRepository } from "./db/one-time-code-repository.js";
export { makeRateLimitRefusalLog } from "./db/rate-limit-refusal-log.js";
export { makeRefreshTokenRepository } from "./db/refresh-token-repository.js";
export { makeRoleRepository } from "./db/role-repository.js";
export {
  makeSigningKeyStore,
  type SigningKeyStore,
  type StoredSigningKey,
} from "./db/signing-key-store.js";
export * as tables from "./db/tables.js";
export { makeUnitOfWork, repositoriesOn } from "./db/unit-of-work.js";
export { makeUserRepository } from "./db/user-repository.js";
export { makeDatabaseWebAuthnChallenges, makeWebAuthnCredentialRepository } from "./db/webauthn-repository.js";
export { makeOpenIdIdentityProviders } from "./federation/openid-identity-providers.js";
export {
  KeycloakAccessTokens,
  type KeycloakAdapters,
  KeycloakAdminDirectory,
  KeycloakError,
  type KeycloakErrorKind,
  KeycloakTokenEndpoint,
  makeKeycloakAdapters,
  ServiceAccountToken,
} from "./keycloak/index.js";
export {
  createLogger,
  type Logger,
  type LoggerSettings,
  loggerOptions,
  REDACTED_PATHS,
  safeError,
} from "./logging/logger.js";
export { type DevMail, DevMailbox, makeDevMailer } from "./mail/dev-mailbox.js";
export {
  makeSmtpMailer,
  SMTP_TIMEOUTS_MS,
  type SmtpMailer,
  type SmtpMailerSettings,
  type SmtpTimeouts,
} from "./mail/smtp-mailer.js";
export {
  loadMailTemplateOverrides,
  MAIL_TEMPLATE_PARTS,
  type MailTemplateData,
  MailTemplateError,
  type MailTemplateOverrides,
  type MailTemplatePart,
} from "./mail/template-overrides.js";
export { escapeHtml, type RenderedMail, renderMail } from "./mail/templates.js";
export { qrCodes } from "./mfa/qr-codes.js";
export { recoveryCodes } from "./mfa/recovery-codes.js";
export { base32Decode, hotp, totp } from "./mfa/totp.js";
export { makeWebAuthnRelyingParty, userHandleOf, type WebAuthnSettings } from "./mfa/webauthn-relying-party.js";
export {
  classifyStatement,
  combineQueryObservers,
  makeQueryMetrics,
  type QueryFinished,
  type QueryObserver,
} from "./observability/db-query-metrics.js";
export { type HostInfoOptions, makeHostInfo } from "./observability/host-info.js";
export { type MetricsServer, startMetricsServer } from "./observability/metrics-server.js";
export { countOutboxByState } from "./observability/outbox-sample.js";
export { type MetricsSamplers, PrometheusTelemetry } from "./observability/prometheus-telemetry.js";
export {
  readTlsMaterial,
  type TlsMaterial,
  type TlsPaths,
  watchTlsFiles,
} from "./observability/tls-certificates.js";
export {
  activeTraceFields,
  makeQuerySpans,
  TRACER_NAME,
  tracePort,
  traceRequests,
} from "./observability/trace-spans.js";
export { startTracing, type Tracing } from "./observability/tracing.js";
export {
  type BreachFilter,
  buildBreachFilter,
  loadBreachFilter,
  makeBreachFilterScreen,
} from "./passwords/breach-filter.js";
export { makeCommonPasswordScreen } from "./passwords/common-passwords.js";
export { HIBP_RANGE_URL, type HibpRangeCheckOptions, makeHibpRangeCheck } from "./passwords/hibp-range-check.js";
export { makeZxcvbnAdvisor } from "./passwords/zxcvbn-advisor.js";
export { FallbackRateLimiter } from "./rate-limit/fallback-rate-limiter.js";
export { MemoryRateLimiter } from "./rate-limit/memory-rate-limiter.js";
export { MemoryRateLimitRefusalLog } from "./rate-limit/memory-refusal-log.js";
export { RedisRateLimiter } from "./rate-limit/redis-rate-limiter.js";
export { type CacheStats, RedisCache } from "./redis/redis-cache.js";
export {
  openRedis,
  type RedisCommands,
  type RedisConnection,
  RedisScript,
  reconnectDelayMs,
} from "./redis/redis-connection.js";
export { RedisSessionRevocations, type RedisSessionRevocationsDeps } from "./redis/redis-session-revocations.js";
export { RedisWebAuthnChallenges } from "./redis/redis-webauthn-challenges.js";
export { type Argon2HasherOptions, DEFAULT_ARGON2_OPTIONS, makeArgon2Hasher } from "./security/argon2-hasher.js";
export { type Argon2Pool, type Argon2PoolOptions, makeArgon2Pool } from "./security/argon2-pool.js";
export {
  type DatabaseKeyRing,
  newDatabaseKey,
  openDatabaseKeyRing,
  retireAfterSeconds,
} from "./security/database-token-keys.js";
export { makeHmacOneTimeSecrets } from "./security/hmac-one-time-secrets.js";
export { JWT_ALGORITHMS, type JwtAlgorithm, type VerificationKey, verifyAccessToken } from "./security/jwt-verifier.js";
export { KeyDecryptionError } from "./security/key-encryption.js";
export { MemorySessionRevocations } from "./security/memory-session-revocations.js";
export { opaqueTokens } from "./security/opaque-tokens.js";
export { loadPemSigningKey, loadPemVerificationKey } from "./security/pem-token-keys.js";
export { makeSecretBox, type SecretBox, type SecretBoxKey, SecretDecryptionError } from "./security/secret-box.js";
export { Semaphore } from "./security/semaphore.js";
export {
  hs256KeyId,
  type JwtSettings,
  makeSignedAccessTokens,
  publicJwkOf,
  type SignedAccessTokens,
  type SigningKey,
  type TokenKeyRing,
} from "./security/signed-access-tokens.js";
export { systemClock } from "./security/system-clock.js";
