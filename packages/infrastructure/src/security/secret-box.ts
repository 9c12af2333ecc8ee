import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { SecretBox } from "@gatehouse/domain";

export type { SecretBox };

const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = "v1";

/** One key of a ring: an id (named in every sealed value) and 32 key bytes. */
export interface SecretBoxKey {
  readonly id: string;
  readonly key: Uint8Array;
}

/** Raised when no key of the ring opens a sealed value, or it was altered or moved. */
export class SecretDecryptionError extends Error {
  override readonly name = "SecretDecryptionError";
}

/**
 * AES-256-GCM under a key ring: `v1:<key id>:base64url(iv || ciphertext || tag)`. The first key
 * seals; any key of the ring opens the values that name it, so rotating is: put the new key
 * first, keep the old one listed until every secret was re-sealed, then drop it. The purpose,
 * the key id and the context are authenticated with the ciphertext, so a value can be neither
 * relabelled nor used for another purpose. `open` throws SecretDecryptionError.
 */
export function makeSecretBox(keys: readonly SecretBoxKey[], purpose: string): SecretBox {
  const [active] = keys;
  if (active === undefined) throw new Error(`the ${purpose} secret box has no key`);
  for (const entry of keys) if (entry.key.length !== 32) throw new Error("a secret box needs 32-byte keys");
  const byId = new Map(keys.map((entry) => [entry.id, entry.key]));
  const aad = (id: string, context: string) => Buffer.from(`gatehouse-${purpose}:${VERSION}:${id}:${context}`, "utf8");
  return {
    seal(plaintext, context = "") {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", active.key, iv);
      cipher.setAAD(aad(active.id, context));
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return `${VERSION}:${active.id}:${Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url")}`;
    },
    open(sealed, context = "") {
      const [version, id, payload] = sealed.split(":");
      const key = id === undefined ? undefined : byId.get(id);
      if (version !== VERSION || id === undefined || payload === undefined || key === undefined) {
        throw new SecretDecryptionError(`no ${purpose} key opens a secret sealed under key "${id ?? ""}"`);
      }
      const bytes = Buffer.from(payload, "base64url");
      if (bytes.length <= IV_BYTES + TAG_BYTES) throw new SecretDecryptionError(`sealed ${purpose} value is truncated`);
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, IV_BYTES));
        decipher.setAAD(aad(id, context));
        decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
        const inner = bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES);
        return Buffer.concat([decipher.update(inner), decipher.final()]).toString("utf8");
      } catch {
        throw new SecretDecryptionError(`${purpose} key "${id}" does not open this secret`);
      }
    },
  };
}
