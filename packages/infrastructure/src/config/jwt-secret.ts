import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "./load-config.js";

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
  if (production) throw new ConfigError("JWT_SECRET is required when NODE_ENV=production (at least 32 bytes)");
  const path = join(dataDir, "jwt-secret");
  if (existsSync(path)) {
    const secret = new TextEncoder().encode(readFileSync(path, "utf8").trim());
    if (secret.byteLength < 32) {
      throw new ConfigError(`JWT_SECRET is unset and the generated secret in ${path} is under 32 bytes: delete it`);
    }
    return { secret, generated: true, path };
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString("base64url");
  try {
    writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: "wx" });
  } catch (error) {
    // Another instance starting at the same moment wrote it first: use theirs.
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return resolveJwtSecret(undefined, dataDir);
  }
  return { secret: new TextEncoder().encode(secret), generated: true, path };
}
