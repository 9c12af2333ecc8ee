import { createHmac, randomBytes } from "node:crypto";
import { type MfaPolicy, parseMfaPolicy } from "@gatehouse/domain";
import type { SecretBoxKey } from "../security/secret-box.js";
import { ConfigError, type Reader } from "./env-reader.js";
import { keptSecret } from "./jwt-secret.js";

/** Second factors (README, "Two-factor authentication"). */
export interface MfaConfig {
  /** MFA_ENCRYPTION_KEY, the first entry seals; undefined when unset (see {@link resolveMfaKeys}). */
  readonly encryptionKeys: readonly SecretBoxKey[] | undefined;
  /** WEBAUTHN_RP_ID, WEBAUTHN_RP_NAME, WEBAUTHN_ORIGINS: the passkey relying party, never from a request. */
  readonly webauthn: { readonly rpId: string; readonly rpName: string; readonly origins: readonly string[] };
  /** PASSKEY_LOGIN: passwordless sign-in with a discoverable passkey (off by default). */
  readonly passkeyLogin: boolean;
  /** MFA_POLICY: optional (default), required, or required_for_roles=<role>,<role>. */
  readonly policy: MfaPolicy;
}

/** The variables this reader owns, for the CONFIG_VARIABLES list. */
export const MFA_VARIABLES = [
  "MFA_ENCRYPTION_KEY",
  "WEBAUTHN_RP_ID",
  "WEBAUTHN_RP_NAME",
  "WEBAUTHN_ORIGINS",
  "PASSKEY_LOGIN",
  "MFA_POLICY",
] as const;

/** A registrable domain or `localhost`: what WebAuthn accepts as an RP id (no scheme, port or path). */
const RP_ID = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * The relying party. Defaults follow PUBLIC_BASE_URL (its host is the RP id, its origin the one
 * allowed origin), so a localhost development server works as is; a derived value is not
 * checked (a server on an IP address still starts, its passkeys just cannot work there). Set
 * values are: the RP id a domain name, every origin on it or a subdomain of it (what browsers
 * enforce), https except on localhost.
 */
function readWebAuthn(read: Reader, defaults: { publicBaseUrl: string; appName: string }): MfaConfig["webauthn"] {
  const base = new URL(defaults.publicBaseUrl);
  const rpName = read.string("WEBAUTHN_RP_NAME", defaults.appName);
  const setRpId = read.raw("WEBAUTHN_RP_ID")?.toLowerCase();
  if (setRpId !== undefined && !RP_ID.test(setRpId)) {
    throw new ConfigError(`WEBAUTHN_RP_ID must be a domain name without scheme, port or path (got "${setRpId}")`);
  }
  const rpId = setRpId ?? base.hostname;
  const listed = read.list("WEBAUTHN_ORIGINS");
  if (listed.length === 0) return { rpId, rpName, origins: [base.origin] };
  const origins = listed.map((value) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new ConfigError(`WEBAUTHN_ORIGINS entries must be origins like https://id.example.com (got "${value}")`);
    }
    const host = url.hostname;
    if (url.origin !== value.replace(/\/+$/, "") || (host !== rpId && !host.endsWith(`.${rpId}`))) {
      throw new ConfigError(`WEBAUTHN_ORIGINS entry "${value}" must be an origin on ${rpId} or a subdomain of it`);
    }
    if (url.protocol !== "https:" && host !== "localhost") {
      throw new ConfigError(`WEBAUTHN_ORIGINS entry "${value}" must use https (http only on localhost)`);
    }
    return url.origin;
  });
  return { rpId, rpName, origins };
}

const KEY_ID = /^[A-Za-z0-9._-]{1,32}$/;

/**
 * MFA_ENCRYPTION_KEY: comma-separated `<key id>:<32 bytes base64>` entries; the first seals new
 * secrets, every entry opens the ones sealed under its id (rotation: prepend a new key, keep the
 * old until no secret names it). Values are never echoed in errors.
 */
export function mfaKeysOf(value: string | undefined): SecretBoxKey[] | undefined {
  if (value === undefined) return undefined;
  const keys = value.split(",").map((entry, index) => {
    const [id = "", key = "", ...rest] = entry.trim().split(":");
    const bytes = Buffer.from(key, "base64");
    if (!KEY_ID.test(id) || rest.length > 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(key) || bytes.byteLength !== 32) {
      throw new ConfigError(
        `MFA_ENCRYPTION_KEY entry ${index + 1} must be <key id>:<32 bytes in base64> (e.g. 2026-01:$(openssl rand -base64 32))`,
      );
    }
    return { id, key: new Uint8Array(bytes) };
  });
  if (new Set(keys.map((k) => k.id)).size !== keys.length) {
    throw new ConfigError("MFA_ENCRYPTION_KEY names a key id twice");
  }
  return keys;
}

/** Reads MFA_ENCRYPTION_KEY, the WebAuthn relying party and PASSKEY_LOGIN. */
export function readMfaConfig(read: Reader, defaults: { publicBaseUrl: string; appName: string }): MfaConfig {
  return {
    encryptionKeys: mfaKeysOf(read.raw("MFA_ENCRYPTION_KEY")),
    webauthn: readWebAuthn(read, defaults),
    passkeyLogin: read.bool("PASSKEY_LOGIN", false),
    policy: readMfaPolicy(read),
  };
}

function readMfaPolicy(read: Reader): MfaPolicy {
  const text = read.raw("MFA_POLICY");
  if (text === undefined || text.trim() === "") return { mode: "optional" };
  const policy = parseMfaPolicy(text);
  if (policy === undefined) {
    throw new ConfigError(
      `MFA_POLICY must be optional, required or required_for_roles=<role>,<role> (got "${text.trim()}")`,
    );
  }
  return policy;
}

/**
 * The key ring MFA secrets are sealed under: MFA_ENCRYPTION_KEY; else, in production, a key
 * derived (under its own label, id `derived`) from the secret production already requires
 * (JWT_KEY_ENCRYPTION_KEY, or JWT_SECRET), so an install needs no new secret; else one key
 * generated once in `dataDir`, so development restarts keep enrolled apps working.
 */
export function resolveMfaKeys(
  config: MfaConfig,
  context: { dataDir: string; production: boolean; parentSecret: Uint8Array | string | undefined },
): readonly SecretBoxKey[] {
  if (config.encryptionKeys !== undefined) return config.encryptionKeys;
  if (context.production && context.parentSecret !== undefined) {
    const key = createHmac("sha256", context.parentSecret).update("gatehouse mfa encryption key").digest();
    return [{ id: "derived", key: new Uint8Array(key) }];
  }
  const dataDir = context.dataDir;
  const { value, path } = keptSecret(dataDir, "mfa-encryption-key", () => `dev:${randomBytes(32).toString("base64")}`);
  const keys = mfaKeysOf(value);
  if (keys === undefined) throw new ConfigError(`MFA_ENCRYPTION_KEY is unset and ${path} is empty: delete it`);
  return keys;
}
