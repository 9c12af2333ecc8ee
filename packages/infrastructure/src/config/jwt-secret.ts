import { createHmac, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "./env-reader.js";

/**
 * A development secret kept in `dataDir/fileName`: read when present, else generated once. Two
 * instances starting at the same moment agree, because the file is created exclusively.
 */
export function keptSecret(dataDir: string, fileName: string, generate: () => string): { value: string; path: string } {
  const path = join(dataDir, fileName);
  if (existsSync(path)) return { value: readFileSync(path, "utf8").trim(), path };
  mkdirSync(dataDir, { recursive: true });
  const value = generate();
  try {
    writeFileSync(path, `${value}\n`, { mode: 0o600, flag: "wx" });
  } catch (error) {
    // Another instance starting at the same moment wrote it first: use theirs.
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return { value: readFileSync(path, "utf8").trim(), path };
  }
  return { value, path };
}

/**
 * The HMAC secret to sign with. A configured one is used as is. In development without
 * one, a random secret is generated once and kept in `dataDir`, so tokens survive restarts;
 * `generated` tells the caller to warn about it. In production a missing secret is a
 * configuration error. (Only the server signs tokens, so only it calls this: the worker
 * runs without a secret.)
 */
export function resolveJwtSecret(
  configured: string | undefined,
  dataDir: string,
  production = false,
): { secret: Uint8Array; generated: boolean; path?: string } {
  if (configured !== undefined) return { secret: new TextEncoder().encode(configured), generated: false };
  if (production) {
    throw new ConfigError(
      "JWT_SECRET is required when NODE_ENV=production (at least 32 bytes), unless JWT_KEY_ENCRYPTION_KEY is set",
    );
  }
  const { value, path } = keptSecret(dataDir, "jwt-secret", () => randomBytes(48).toString("base64url"));
  const secret = new TextEncoder().encode(value);
  if (secret.byteLength < 32) {
    throw new ConfigError(`JWT_SECRET is unset and the generated secret in ${path} is under 32 bytes: delete it`);
  }
  return { secret, generated: true, path };
}

/**
 * The key that encrypts database signing keys: JWT_KEY_ENCRYPTION_KEY, or (only reachable outside
 * production, load-config refuses production without it) one generated once in `dataDir`.
 */
export function resolveKeyEncryptionKey(
  configured: Uint8Array | undefined,
  dataDir: string,
): { key: Uint8Array; generated: boolean; path?: string } {
  if (configured !== undefined) return { key: configured, generated: false };
  const { value, path } = keptSecret(dataDir, "jwt-key-encryption-key", () => randomBytes(32).toString("base64"));
  const key = Buffer.from(value, "base64");
  if (key.byteLength !== 32) {
    throw new ConfigError(
      `JWT_KEY_ENCRYPTION_KEY is unset and the generated key in ${path} is not 32 bytes: delete it`,
    );
  }
  return { key: new Uint8Array(key), generated: true, path };
}

/**
 * The secret one-time codes are hashed under when JWT_SECRET is unset in production (database
 * keys sign the tokens): derived from the key-encryption key under its own label, so a new
 * install needs one secret, and neither use can stand in for the other.
 */
export function derivedCodeSecret(keyEncryptionKey: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac("sha256", keyEncryptionKey).update("gatehouse one-time code secret").digest());
}

/**
 * The key that seals passwords queued for Keycloak: KEYCLOAK_SYNC_KEY, or (only reachable outside
 * production, the config refuses production without it) one generated once in `dataDir`, so a
 * queued password still opens after a restart.
 */
export function resolveKeycloakSyncKey(configured: Uint8Array | undefined, dataDir: string): Uint8Array {
  if (configured !== undefined) return configured;
  const { value, path } = keptSecret(dataDir, "keycloak-sync-key", () => randomBytes(32).toString("base64"));
  const key = Buffer.from(value, "base64");
  if (key.byteLength !== 32) {
    throw new ConfigError(`KEYCLOAK_SYNC_KEY is unset and the generated key in ${path} is not 32 bytes: delete it`);
  }
  return new Uint8Array(key);
}
