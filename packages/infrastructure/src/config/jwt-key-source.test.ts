import { randomBytes } from "node:crypto";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "./env-reader.js";
import { resolveKeyEncryptionKey } from "./jwt-secret.js";
import { loadConfig } from "./load-config.js";

const emptyDir = () => mkdtempSync(join(tmpdir(), "gh-keysrc-"));
const KEK = randomBytes(32).toString("base64");
const SECRET = "x".repeat(32);

function source(env: Record<string, string>) {
  const { algorithm, keySource } = loadConfig(env, emptyDir()).jwt;
  return `${algorithm}/${keySource}`;
}

describe("JWT_ALGORITHM's default and where the signing key comes from", () => {
  it("picks EdDSA database keys for a new install and keeps an existing HS256 install unchanged", () => {
    // New install, configured from .env.example: a key-encryption key (with or without a secret).
    expect(source({ JWT_KEY_ENCRYPTION_KEY: KEK })).toBe("EdDSA/database");
    expect(source({ JWT_KEY_ENCRYPTION_KEY: KEK, JWT_SECRET: SECRET, NODE_ENV: "production" })).toBe("EdDSA/database");
    // An install from before database keys: only JWT_SECRET, in production or not.
    expect(source({ JWT_SECRET: SECRET })).toBe("HS256/secret");
    expect(source({ JWT_SECRET: SECRET, NODE_ENV: "production" })).toBe("HS256/secret");
    // Development with nothing configured: EdDSA, the key-encryption key generated in DATA_DIR.
    expect(source({})).toBe("EdDSA/database");
    // Explicit choices win.
    expect(source({ JWT_ALGORITHM: "HS256", JWT_KEY_ENCRYPTION_KEY: KEK })).toBe("HS256/secret");
    expect(source({ JWT_ALGORITHM: "ES256", JWT_KEY_ENCRYPTION_KEY: KEK })).toBe("ES256/database");
    expect(source({ JWT_ALGORITHM: "EdDSA", JWT_PRIVATE_KEY_FILE: "k.pem" })).toBe("EdDSA/file");
  });

  it("refuses a key-encryption key that is not 32 bytes of base64, in one line, without echoing it", () => {
    for (const bad of ["not-base64!!", randomBytes(16).toString("base64"), randomBytes(33).toString("base64")]) {
      let error: unknown;
      try {
        loadConfig({ JWT_KEY_ENCRYPTION_KEY: bad }, emptyDir());
      } catch (caught) {
        error = caught;
      }
      expect(error).toEqual(
        new ConfigError("JWT_KEY_ENCRYPTION_KEY must be 32 bytes in base64 (openssl rand -base64 32)"),
      );
    }
  });

  it("refuses database keys in production without a key-encryption key, naming both ways out", () => {
    expect(() =>
      loadConfig({ NODE_ENV: "production", JWT_ALGORITHM: "EdDSA", JWT_SECRET: SECRET }, emptyDir()),
    ).toThrow(
      new ConfigError("JWT_PRIVATE_KEY_FILE or JWT_KEY_ENCRYPTION_KEY is required when JWT_ALGORITHM is EdDSA"),
    );
  });

  it("generates the development key-encryption key once, owner-only, and reads the same one back", () => {
    const dir = emptyDir();
    const first = resolveKeyEncryptionKey(undefined, dir);
    expect(first.generated).toBe(true);
    expect(first.key.byteLength).toBe(32);
    expect(statSync(first.path as string).mode & 0o777).toBe(0o600);
    expect(Buffer.from(resolveKeyEncryptionKey(undefined, dir).key)).toEqual(Buffer.from(first.key));
  });
});
