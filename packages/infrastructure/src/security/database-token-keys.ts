import { createPublicKey } from "node:crypto";
import type { Clock } from "@gatehouse/domain";
import type { NewSigningKey, SigningKeyStore, StoredSigningKey } from "../db/signing-key-store.js";
import type { VerificationKey } from "./jwt-verifier.js";
import { type AsymmetricAlgorithm, generateSigningKeyPair, openPrivateKey, sealPrivateKey } from "./key-encryption.js";
import { keyIdOf } from "./pem-token-keys.js";
import type { SigningKey, TokenKeyRing } from "./signed-access-tokens.js";

/** A new key pair for the store: kid = RFC 7638 thumbprint, private half sealed under the encryption key. */
export async function newDatabaseKey(
  encryptionKey: Uint8Array,
  algorithm: AsymmetricAlgorithm,
): Promise<NewSigningKey> {
  const { privateKey, publicKey } = generateSigningKeyPair(algorithm);
  const kid = await keyIdOf(publicKey);
  return {
    kid,
    algorithm,
    publicKeyPem: publicKey.export({ format: "pem", type: "spki" }).toString(),
    privateKeyCiphertext: sealPrivateKey(encryptionKey, kid, algorithm, privateKey),
  };
}

/**
 * How long a rotated-out key keeps verifying: the longest access token it may have signed, plus
 * the clock tolerance, plus one reload interval (other nodes sign with it until they reload).
 */
export function retireAfterSeconds(jwt: {
  readonly accessTokenTtlSeconds: number;
  readonly clockToleranceSeconds: number;
  readonly keysReloadSeconds: number;
}): number {
  return jwt.accessTokenTtlSeconds + jwt.clockToleranceSeconds + jwt.keysReloadSeconds;
}

export interface DatabaseKeyRingOptions {
  readonly store: SigningKeyStore;
  readonly encryptionKey: Uint8Array;
  readonly clock: Clock;
  /** Bound on reloads asked for by unknown kids: at most one per this many seconds. */
  readonly unknownKidReloadSeconds: number;
}

export interface DatabaseKeyRing {
  /** The ring as last loaded (the active key signs). */
  current(): TokenKeyRing;
  /** Reads the store again (retiring what is due); resolves true when the ring changed. */
  reload(): Promise<boolean>;
  /** `reload`, but at most once per `unknownKidReloadSeconds` and never twice at once. */
  reloadForUnknownKid(): Promise<boolean>;
}

/**
 * The signing keys of the database, decrypted once per kid and held in memory, so verifying a
 * token never touches the database. `current()` is what `useKeys` receives after each reload.
 */
export async function openDatabaseKeyRing(
  options: DatabaseKeyRingOptions,
  firstKey: () => Promise<NewSigningKey>,
): Promise<DatabaseKeyRing> {
  const { store, encryptionKey, clock } = options;
  const pending = await firstKey();
  await store.ensureActive(() => pending, clock.now());
  // Only the active key's private half is ever decrypted; the others verify with their public PEM.
  const decoded = new Map<string, SigningKey>();
  const decode = (row: StoredSigningKey): SigningKey => {
    let key = decoded.get(row.kid);
    if (key === undefined) {
      const privateKey = openPrivateKey(encryptionKey, row.kid, row.algorithm, row.privateKeyCiphertext);
      key = { kid: row.kid, algorithm: row.algorithm, privateKey, publicKey: createPublicKey(row.publicKeyPem) };
      decoded.set(row.kid, key);
    }
    return key;
  };
  let ring: TokenKeyRing;
  let fingerprint = "";
  const load = async (): Promise<boolean> => {
    const now = clock.now();
    await store.retireDue(now);
    const rows = await store.usable(now);
    const active = rows.find((row) => row.state === "active");
    if (active === undefined) throw new Error("signing_keys has no active key");
    const next = rows.map((row) => `${row.kid}:${row.state}`).join(",");
    if (next === fingerprint) return false;
    const verificationKeys: VerificationKey[] = rows
      .filter((row) => row !== active)
      .map((row) => ({ kid: row.kid, algorithm: row.algorithm, publicKey: createPublicKey(row.publicKeyPem) }));
    ring = { signingKey: decode(active), verificationKeys };
    fingerprint = next;
    return true;
  };
  await load();

  let lastUnknownKidReload = Number.NEGATIVE_INFINITY;
  let inFlight: Promise<boolean> | undefined;
  return {
    current: () => ring,
    reload: load,
    reloadForUnknownKid() {
      if (inFlight !== undefined) return inFlight;
      const now = clock.now().getTime();
      if (now - lastUnknownKidReload < options.unknownKidReloadSeconds * 1000) return Promise.resolve(false);
      lastUnknownKidReload = now;
      inFlight = load()
        .catch(() => false)
        .finally(() => {
          inFlight = undefined;
        });
      return inFlight;
    },
  };
}
