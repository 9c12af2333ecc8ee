import {
  type Config,
  ConfigError,
  derivedCodeSecret,
  KeyDecryptionError,
  type Logger,
  loadPemSigningKey,
  loadPemVerificationKey,
  makeSignedAccessTokens,
  makeSigningKeyStore,
  newDatabaseKey,
  openDatabaseKeyRing,
  resolveJwtSecret,
  resolveKeyEncryptionKey,
  type SignedAccessTokens,
} from "@gatehouse/infrastructure";
import type { Adapters } from "./adapters.js";

/** The HMAC secret (JWT_SECRET, or a development one kept in DATA_DIR); `generated` asks for a warning. */
export type ServerSecret = ReturnType<typeof resolveJwtSecret>;

// A flood of tokens with made-up kids costs the database at most one read per this many seconds.
const UNKNOWN_KID_RELOAD_SECONDS = 5;

/**
 * JWT_SECRET, or outside production a generated one kept in DATA_DIR. In production with database
 * keys and no JWT_SECRET, one-time codes are hashed under a secret derived from the key-encryption
 * key. Resolved before anything is opened, so a start missing a secret fails at once, naming it.
 */
export function resolveServerSecret(config: Config): ServerSecret {
  const { secret, keyEncryptionKey, keySource } = config.jwt;
  if (secret === undefined && config.production && keySource === "database" && keyEncryptionKey !== undefined) {
    return { secret: derivedCodeSecret(keyEncryptionKey), generated: false };
  }
  return resolveJwtSecret(secret, config.dataDir, config.production);
}

export interface AccessTokenKeys {
  readonly accessTokens: SignedAccessTokens;
  /** Starts the periodic reload (database keys); called once the rest of the start succeeded. */
  start(): void;
  close(): void;
}

/**
 * The access-token keys, by `config.jwt.keySource` (README "Token keys"): the HMAC secret, PEM
 * files, or the `signing_keys` table (a key generated at the first start; reloaded every
 * JWT_KEYS_RELOAD_SECONDS and on an unknown kid, so a rotation reaches every node without restart).
 */
export async function openAccessTokenKeys(
  config: Config,
  logger: Logger,
  adapters: Adapters,
  jwt: ServerSecret,
): Promise<AccessTokenKeys> {
  const { algorithm, privateKeyFile, previousPublicKeyFiles, keySource } = config.jwt;
  const filed = await Promise.all(previousPublicKeyFiles.map(loadPemVerificationKey));
  const settings = {
    secret: jwt.secret,
    issuer: config.jwt.issuer,
    audience: config.jwt.audience,
    accessTokenTtlSeconds: config.jwt.accessTokenTtlSeconds,
    clockToleranceSeconds: config.jwt.clockToleranceSeconds,
  };
  if (keySource !== "database" || algorithm === "HS256") {
    const signingKey =
      keySource === "file" && algorithm !== "HS256" && privateKeyFile !== undefined
        ? await loadPemSigningKey(privateKeyFile, algorithm)
        : undefined;
    const accessTokens = await makeSignedAccessTokens({
      ...settings,
      ...(signingKey ? { signingKey } : {}),
      verificationKeys: filed,
    });
    return { accessTokens, start: () => {}, close: () => {} };
  }

  const encryption = resolveKeyEncryptionKey(config.jwt.keyEncryptionKey, config.dataDir);
  if (encryption.generated) {
    logger.warn(
      { path: encryption.path },
      "JWT_KEY_ENCRYPTION_KEY is not set: using a generated development key kept in DATA_DIR",
    );
  }
  const ring = await openDatabaseKeyRing(
    {
      store: makeSigningKeyStore(adapters.database.db),
      encryptionKey: encryption.key,
      clock: adapters.clock,
      unknownKidReloadSeconds: UNKNOWN_KID_RELOAD_SECONDS,
    },
    () => newDatabaseKey(encryption.key, algorithm),
  ).catch((error: unknown) => {
    // One line naming the variable, not a stack: the key is wrong for the stored keys.
    if (error instanceof KeyDecryptionError) throw new ConfigError(error.message);
    throw error;
  });
  const signing = ring.current().signingKey;
  if (signing.algorithm !== algorithm) {
    logger.warn(
      { kid: signing.kid, active: signing.algorithm, configured: algorithm },
      "the active signing key's algorithm differs from JWT_ALGORITHM: run `gatehouse keys rotate` to switch",
    );
  }
  const withFiled = () => ({ ...ring.current(), verificationKeys: [...ring.current().verificationKeys, ...filed] });
  const accessTokens = await makeSignedAccessTokens({
    ...settings,
    signingKey: signing,
    verificationKeys: withFiled().verificationKeys,
    async onUnknownKid() {
      const changed = await ring.reloadForUnknownKid();
      if (changed) accessTokens.useKeys(withFiled());
      return changed;
    },
  });
  const reload = () => {
    ring.reload().then(
      (changed) => {
        if (changed) {
          accessTokens.useKeys(withFiled());
          logger.info({ kid: ring.current().signingKey.kid }, "signing keys reloaded");
        }
      },
      // The keys in memory keep serving; the next round tries again.
      (error: unknown) => logger.warn({ err: error }, "could not reload the signing keys"),
    );
  };
  let timer: NodeJS.Timeout | undefined;
  return {
    accessTokens,
    start() {
      timer ??= setInterval(reload, config.jwt.keysReloadSeconds * 1000);
      timer.unref();
    },
    close: () => clearInterval(timer),
  };
}
