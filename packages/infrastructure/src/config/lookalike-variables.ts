import { MFA_VARIABLES } from "./mfa-config.js";
import { RATE_LIMIT_ENV } from "./traffic-config.js";

/**
 * Every environment variable Gatehouse reads (`lookalike-variables.test.ts` checks this list
 * against the names `load-config.ts` and `.env.example` spell out). The rate-limit pairs are
 * built from `RATE_LIMIT_ENV`, as `load-config.ts` builds them.
 */
export const CONFIG_VARIABLES: readonly string[] = [
  ...`APP_ENV APP_HOST APP_NAME APP_PORT APP_VERSION ARGON2_MAX_CONCURRENCY ARGON2_NICE AUDIT_LOG_RETENTION_DAYS
  BODY_LIMIT_BYTES BOOTSTRAP_ADMIN_EMAIL BOOTSTRAP_ADMIN_PASSWORD BOOTSTRAP_ADMIN_USERNAME
  CHAT_ALLOW_QUERY_TOKEN CHAT_AUTH_TIMEOUT_MS CHAT_HEARTBEAT_MS CHAT_MAX_BUFFERED_BYTES
  CHAT_MAX_FRAME_BYTES CHAT_MAX_INVALID_FRAMES_PER_MINUTE CHAT_MAX_MESSAGE_LENGTH CHAT_MAX_REPLAY
  CHAT_MAX_ROOMS_PER_SOCKET CHAT_MAX_SOCKETS_PER_USER CHAT_PRESENCE_TTL_SECONDS CHAT_RETENTION_DAYS CHAT_SEND_RATE_LIMIT
  CHAT_SEND_RATE_WINDOW_SECONDS CLEANUP_BATCH_SIZE CORS_ALLOWED_ORIGINS DATABASE_MAX_CONNECTIONS
  DATABASE_QUERY_TIMEOUT_MS DATABASE_URL DATABASE_POOLER DATABASE_MIGRATION_URL DATA_DIR DB_AUTO_MIGRATE ENABLE_HTTPS ENUMERATION_PROTECTION
  HEALTH_CHECK_TIMEOUT_MS JWT_ACCESS_TOKEN_EXPIRATION_MINUTES JWT_AUDIENCE JWT_CLOCK_TOLERANCE_SECONDS
  JWT_ISSUER JWT_REFRESH_TOKEN_EXPIRATION_DAYS JWT_SECRET LOG_LEVEL LOG_PRETTY MAIL_BATCH_SIZE MAIL_FROM
  MAIL_GIVE_UP_AFTER_HOURS MAIL_MAX_ATTEMPTS MAIL_POLL_INTERVAL_MS MAIL_REQUEST_RESPONSE_FLOOR_MS
  MAIL_RETRY_BASE_SECONDS MAIL_TEMPLATES_DIR METRICS_HOST METRICS_PORT METRICS_TOKEN NODE_ENV
  OTEL_EXPORTER_OTLP_ENDPOINT OTEL_SERVICE_NAME
  PASSWORD_MIN_LENGTH PASSWORD_RESET_TTL_MINUTES PUBLIC_BASE_URL REDIS_CLUSTER_NODES
  REDIS_COMMAND_TIMEOUT_MS REDIS_KEY_PREFIX REDIS_URL REFRESH_REUSE_GRACE_SECONDS
  REFRESH_TOKEN_RETENTION_DAYS REGISTER_RESPONSE_FLOOR_MS REQUIRE_ADMIN_APPROVAL
  REQUIRE_EMAIL_VERIFICATION RESEND_COOLDOWN_SECONDS RESEND_MAX_PER_DAY SHUTDOWN_DRAIN_DELAY_SECONDS
  SHUTDOWN_TIMEOUT_SECONDS SMTP_URL SSL_CERT_PATH SSL_KEY_PATH TLS_CERT_PATH TLS_KEY_PATH TRUST_PROXY
  USER_PURGE_AFTER_DAYS VERIFICATION_TTL_HOURS WORKER_SCHEDULE DEV_MAILBOX_TOKEN SESSION_MAX_LIFETIME_DAYS
  OAUTH_PROVIDERS OAUTH_ALLOWED_REDIRECT_URIS OAUTH_ALLOWED_REDIRECT_ORIGINS
  PASSWORD_REQUIRE_COMPOSITION PASSWORD_BREACH_CHECK PASSWORD_BREACH_CHECK_URL PASSWORD_BREACH_CHECK_FAIL_CLOSED
  PASSWORD_BREACH_FILTER_FILE DEVICE_TOKEN_DAYS LOGIN_DELAY_MAX_SECONDS JWT_KEY_ENCRYPTION_KEY JWT_KEYS_RELOAD_SECONDS
  LOGIN_QUEUE_MAX LOGIN_QUEUE_RETRY_AFTER_SECONDS JWT_ALGORITHM JWT_PRIVATE_KEY_FILE JWT_PREVIOUS_PUBLIC_KEY_FILES
  RATE_LIMIT_REFUSALS_FLUSH_SECONDS`.split(/\s+/),
  ...Object.values(RATE_LIMIT_ENV).flatMap((prefix) => [`${prefix}_REQUESTS`, `${prefix}_WINDOW_SECONDS`]),
  // Keycloak (config/keycloak-config.ts).
  ...`IDENTITY_BACKEND KEYCLOAK_URL KEYCLOAK_REALM KEYCLOAK_CLIENT_ID KEYCLOAK_CLIENT_SECRET KEYCLOAK_ADMIN_CLIENT_ID
  KEYCLOAK_ADMIN_CLIENT_SECRET KEYCLOAK_TOKEN_EXPIRY_BUFFER_SECONDS KEYCLOAK_TIMEOUT_MS KEYCLOAK_PASSWORD_GRANT
  KEYCLOAK_ACCEPT_TOKENS KEYCLOAK_ROLE_MAPPING KEYCLOAK_AUTO_PROVISION KEYCLOAK_JWKS_COOLDOWN_SECONDS KEYCLOAK_INTROSPECTION KEYCLOAK_SYNC_KEY`.split(
    /\s+/,
  ),
  // Hosted pages (config/pages-config.ts).
  ..."PAGES_ENABLED BRAND_NAME BRAND_LOGO_URL BRAND_COLOR VERIFY_EMAIL_LINK_PATH RESET_PASSWORD_LINK_PATH".split(" "),
  // Second factors (config/mfa-config.ts).
  ...MFA_VARIABLES,
];

const KNOWN: ReadonlySet<string> = new Set(CONFIG_VARIABLES);

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = rows[i] as number[];
      const above = rows[i - 1] as number[];
      let best = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = best;
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}

// Our names are upper snake case with at least one underscore; PATH, HOME or npm_config_* never are.
const OUR_SHAPE = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;

/** A social-login provider's own settings: `OAUTH_<NAME>_…`, the name being the operator's. */
const PROVIDER_VARIABLE =
  /^OAUTH_[A-Z0-9]+_(?:CLIENT_ID|CLIENT_SECRET|SCOPES|ISSUER|AUTHORIZATION_URL|TOKEN_URL|USERINFO_URL|EMAILS_URL)$/;

/** Whether `name` is a setting Gatehouse reads (a fixed name, or a provider's own). */
export function isConfigVariable(name: string, known: ReadonlySet<string> = KNOWN): boolean {
  return known.has(name) || PROVIDER_VARIABLE.test(name);
}

/**
 * One warning per set variable that is not ours but is within two edits of one of ours (one for
 * names under ten characters), naming the likely intended one: `JWT_SECRETS` → `JWT_SECRET`.
 * Only upper snake case names are considered, so the shell's own variables stay silent.
 */
export function lookalikeVariableWarnings(
  env: Readonly<Record<string, string | undefined>>,
  known: readonly string[] = CONFIG_VARIABLES,
): string[] {
  const ours = new Set(known);
  const isOurs = (name: string) => isConfigVariable(name, ours);
  const warnings: string[] = [];
  for (const name of Object.keys(env).sort()) {
    if (isOurs(name) || !OUR_SHAPE.test(name)) continue;
    const allowed = name.length < 10 ? 1 : 2;
    let closest: { name: string; distance: number } | undefined;
    for (const candidate of known) {
      if (Math.abs(candidate.length - name.length) > allowed) continue;
      const distance = editDistance(name, candidate);
      if (distance <= allowed && (closest === undefined || distance < closest.distance)) {
        closest = { name: candidate, distance };
      }
    }
    if (closest !== undefined)
      warnings.push(`${name} is not a Gatehouse setting and is ignored: did you mean ${closest.name}?`);
  }
  return warnings;
}
