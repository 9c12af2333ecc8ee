import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Short secrets sealed for storage (a password the Keycloak sync must still hand to Keycloak):
 * AES-256-GCM, base64url(iv || ciphertext || tag). `context` is authenticated with the
 * ciphertext (the owning user's id), so a sealed value moved to another row does not open.
 */
export interface SecretBox {
  seal(plaintext: string, context: string): string;
  /** @throws Error when the value was sealed under another key or context, or was altered. */
  open(sealed: string, context: string): string;
}

export function makeSecretBox(key: Uint8Array, purpose: string): SecretBox {
  if (key.length !== 32) throw new Error("a secret box needs a 32-byte key");
  const aad = (context: string) => Buffer.from(`gatehouse-${purpose}:${context}`, "utf8");
  return {
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(aad(context));
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url");
    },
    open(sealed, context) {
      const bytes = Buffer.from(sealed, "base64url");
      if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error(`sealed ${purpose} value is truncated`);
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, IV_BYTES));
        decipher.setAAD(aad(context));
        decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
        const body = bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES);
        return Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
      } catch {
        throw new Error(`sealed ${purpose} value does not open with this key`);
      }
    },
  };
}
