import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
} from "node:crypto";

/** The asymmetric algorithms whose keys Gatehouse generates and keeps in the database. */
export type AsymmetricAlgorithm = "EdDSA" | "ES256";

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** A fresh key pair for `algorithm`: Ed25519 for EdDSA, P-256 for ES256. */
export function generateSigningKeyPair(algorithm: AsymmetricAlgorithm): {
  privateKey: KeyObject;
  publicKey: KeyObject;
} {
  return algorithm === "EdDSA"
    ? generateKeyPairSync("ed25519")
    : generateKeyPairSync("ec", { namedCurve: "prime256v1" });
}

// The kid and algorithm are authenticated with the ciphertext, so a row's private key cannot be
// moved under another kid (or relabelled) without the decryption failing.
function associatedData(kid: string, algorithm: AsymmetricAlgorithm): Buffer {
  return Buffer.from(`gatehouse-signing-key:${algorithm}:${kid}`, "utf8");
}

/** AES-256-GCM of the PKCS#8 DER under the key-encryption key: base64url(iv || ciphertext || tag). */
export function sealPrivateKey(
  encryptionKey: Uint8Array,
  kid: string,
  algorithm: AsymmetricAlgorithm,
  privateKey: KeyObject,
): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", encryptionKey, iv);
  cipher.setAAD(associatedData(kid, algorithm));
  const der = privateKey.export({ format: "der", type: "pkcs8" });
  const body = Buffer.concat([cipher.update(der), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url");
}

/** Raised when a stored private key does not decrypt: wrong JWT_KEY_ENCRYPTION_KEY, or a tampered row. */
export class KeyDecryptionError extends Error {
  override readonly name = "KeyDecryptionError";
}

/** The inverse of `sealPrivateKey`; throws KeyDecryptionError rather than returning a wrong key. */
export function openPrivateKey(
  encryptionKey: Uint8Array,
  kid: string,
  algorithm: AsymmetricAlgorithm,
  sealed: string,
): KeyObject {
  const bytes = Buffer.from(sealed, "base64url");
  if (bytes.length <= IV_BYTES + TAG_BYTES) throw new KeyDecryptionError(`signing key ${kid} is truncated`);
  try {
    const decipher = createDecipheriv("aes-256-gcm", encryptionKey, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(associatedData(kid, algorithm));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const der = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
    return createPrivateKey({ key: der, format: "der", type: "pkcs8" });
  } catch {
    throw new KeyDecryptionError(`JWT_KEY_ENCRYPTION_KEY does not decrypt signing key ${kid}`);
  }
}
