import { ConfigError, checkUrl, type Reader } from "./env-reader.js";

/** Keycloak as the identity backend and as an issuer of API tokens (README, "Keycloak"). */
export interface KeycloakConfig {
  /** The realm's base, `{url}/realms/{realm}`, is the pinned issuer: never read from a token or Host. */
  readonly url: string;
  readonly realm: string;
  readonly issuer: string;
  /** The client users authenticate through. */
  readonly clientId: string;
  readonly clientSecret: string;
  /** The service account with realm-management roles. */
  readonly adminClientId: string;
  readonly adminClientSecret: string;
  /** The service-account token is renewed this long before it expires. */
  readonly tokenExpiryBufferSeconds: number;
  /** Bound on every call to Keycloak. */
  readonly timeoutMs: number;
  /** Resource-owner password grant for `POST /auth/login` (off: OAuth 2.1 drops it). */
  readonly passwordGrant: boolean;
  /** Realm-issued bearer tokens are accepted on the API. */
  readonly acceptTokens: boolean;
  /** Keycloak role → Gatehouse role; `realm:<role>` or `<client>:<role>` keys. */
  readonly roleMapping: ReadonlyMap<string, string>;
  /** A Keycloak token for an account Gatehouse has not seen creates its user. */
  readonly autoProvision: boolean;
  /** The floor between two fetches of the realm's JWKS (an unknown `kid` triggers one). */
  readonly jwksCooldownSeconds: number;
  /**
   * Which realm tokens are also introspected at Keycloak (`KEYCLOAK_CLIENT_ID`/`SECRET`): none,
   * the lightweight ones (no role claims: their roles and email come from the introspection), or
   * every one (a token whose Keycloak session ended is refused at once, one round trip a request).
   */
  readonly introspection: "off" | "lightweight" | "always";
  /**
   * KEYCLOAK_SYNC_KEY, 32 bytes: seals the passwords queued for Keycloak in the sync outbox.
   * Undefined when unset (only outside production: development then keeps one in DATA_DIR).
   */
  readonly syncKey: Uint8Array | undefined;
}

export interface IdentityBackendConfig {
  readonly backend: "local" | "keycloak";
  /** Present when the backend is Keycloak or Keycloak tokens are accepted. */
  readonly keycloak: KeycloakConfig | undefined;
}

function roleMapping(value: string | undefined): Map<string, string> {
  const mapping = new Map<string, string>();
  for (const pair of (value ?? "").split(",").map((item) => item.trim())) {
    if (pair === "") continue;
    const match = /^((?:realm|[A-Za-z0-9._-]+):[A-Za-z0-9._-]+)=([a-z][a-z0-9_-]*)$/.exec(pair);
    if (match === null) {
      throw new ConfigError(
        `KEYCLOAK_ROLE_MAPPING must be comma-separated realm:<role>=<gatehouse role> or <client>:<role>=<gatehouse role> pairs (got "${pair}")`,
      );
    }
    mapping.set(match[1] as string, match[2] as string);
  }
  return mapping;
}

/** KEYCLOAK_SYNC_KEY: 32 random bytes in base64 (`openssl rand -base64 32`); never echoed. */
function syncKeyOf(value: string | undefined, production: boolean): Uint8Array | undefined {
  if (value === undefined) {
    if (production) throw new ConfigError("KEYCLOAK_SYNC_KEY is required with IDENTITY_BACKEND=keycloak in production");
    return undefined;
  }
  const bytes = Buffer.from(value, "base64");
  if (bytes.byteLength !== 32) {
    throw new ConfigError("KEYCLOAK_SYNC_KEY must be 32 bytes in base64 (openssl rand -base64 32)");
  }
  return new Uint8Array(bytes);
}

/** Reads IDENTITY_BACKEND and KEYCLOAK_*; the Keycloak variables are required only when used. */
export function readIdentityBackend(read: Reader, production: boolean): IdentityBackendConfig {
  const backend = read.oneOf("IDENTITY_BACKEND", "local", ["local", "keycloak"]) as "local" | "keycloak";
  const acceptTokens = read.bool("KEYCLOAK_ACCEPT_TOKENS", false);
  if (backend === "local" && !acceptTokens) return { backend, keycloak: undefined };
  const why = backend === "keycloak" ? "IDENTITY_BACKEND=keycloak" : "KEYCLOAK_ACCEPT_TOKENS=true";
  const required = (name: string): string => {
    const value = read.raw(name);
    if (value === undefined) throw new ConfigError(`${name} is required with ${why}`);
    return value;
  };
  const url = checkUrl("KEYCLOAK_URL", required("KEYCLOAK_URL"), production ? ["https:"] : ["https:", "http:"]).replace(
    /\/+$/,
    "",
  );
  const realm = required("KEYCLOAK_REALM");
  if (!/^[A-Za-z0-9._-]+$/.test(realm)) {
    throw new ConfigError(`KEYCLOAK_REALM must be a realm name (letters, digits, ".", "_", "-") (got "${realm}")`);
  }
  const needsClients = backend === "keycloak";
  const autoProvision = read.bool("KEYCLOAK_AUTO_PROVISION", false);
  // With the Keycloak backend every user row is pushed to its realm account: a provisioned row
  // would overwrite the account it came from (username, names, attributes, enabled).
  if (autoProvision && backend === "keycloak") {
    throw new ConfigError(
      "KEYCLOAK_AUTO_PROVISION needs IDENTITY_BACKEND=local: with IDENTITY_BACKEND=keycloak Gatehouse creates the realm's accounts itself",
    );
  }
  const introspection = read.oneOf("KEYCLOAK_INTROSPECTION", "off", ["off", "lightweight", "always"]) as
    | "off"
    | "lightweight"
    | "always";
  // The introspection endpoint authenticates the client asking.
  for (const name of introspection === "off" ? [] : ["KEYCLOAK_CLIENT_ID", "KEYCLOAK_CLIENT_SECRET"]) {
    if (read.raw(name) === undefined)
      throw new ConfigError(`${name} is required with KEYCLOAK_INTROSPECTION=${introspection}`);
  }
  return {
    backend,
    keycloak: {
      url,
      realm,
      issuer: `${url}/realms/${realm}`,
      clientId: needsClients ? required("KEYCLOAK_CLIENT_ID") : (read.raw("KEYCLOAK_CLIENT_ID") ?? ""),
      clientSecret: needsClients ? required("KEYCLOAK_CLIENT_SECRET") : (read.raw("KEYCLOAK_CLIENT_SECRET") ?? ""),
      adminClientId: needsClients ? required("KEYCLOAK_ADMIN_CLIENT_ID") : (read.raw("KEYCLOAK_ADMIN_CLIENT_ID") ?? ""),
      adminClientSecret: needsClients
        ? required("KEYCLOAK_ADMIN_CLIENT_SECRET")
        : (read.raw("KEYCLOAK_ADMIN_CLIENT_SECRET") ?? ""),
      tokenExpiryBufferSeconds: read.int("KEYCLOAK_TOKEN_EXPIRY_BUFFER_SECONDS", 30, 0, 3_600),
      timeoutMs: read.int("KEYCLOAK_TIMEOUT_MS", 5_000, 100, 120_000),
      passwordGrant: read.bool("KEYCLOAK_PASSWORD_GRANT", false),
      acceptTokens,
      roleMapping: roleMapping(read.raw("KEYCLOAK_ROLE_MAPPING")),
      autoProvision,
      jwksCooldownSeconds: read.int("KEYCLOAK_JWKS_COOLDOWN_SECONDS", 30, 0, 3_600),
      introspection,
      syncKey: needsClients ? syncKeyOf(read.raw("KEYCLOAK_SYNC_KEY"), production) : undefined,
    },
  };
}
