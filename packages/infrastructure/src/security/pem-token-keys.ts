import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { calculateJwkThumbprint } from "jose";
import { ConfigError } from "../config/env-reader.js";
import type { VerificationKey } from "./jwt-verifier.js";
import type { SigningKey } from "./signed-access-tokens.js";

type AsymmetricAlgorithm = "EdDSA" | "ES256";

function algorithmOf(key: KeyObject): AsymmetricAlgorithm | undefined {
  if (key.asymmetricKeyType === "ed25519") return "EdDSA";
  if (key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1") return "ES256";
  return undefined;
}

function readPem(variable: string, path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new ConfigError(`${variable}: cannot read ${path} (${reason})`);
  }
}

/** The kid is the RFC 7638 thumbprint of the public key, so every node loading the file names it alike. */
export async function keyIdOf(publicKey: KeyObject): Promise<string> {
  return calculateJwkThumbprint(publicKey.export({ format: "jwk" }) as Parameters<typeof calculateJwkThumbprint>[0]);
}

/** Loads JWT_PRIVATE_KEY_FILE; its key type must match JWT_ALGORITHM (Ed25519 for EdDSA, P-256 for ES256). */
export async function loadPemSigningKey(path: string, algorithm: AsymmetricAlgorithm): Promise<SigningKey> {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readPem("JWT_PRIVATE_KEY_FILE", path));
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`JWT_PRIVATE_KEY_FILE: ${path} is not a PEM private key`);
  }
  if (algorithmOf(privateKey) !== algorithm) {
    throw new ConfigError(`JWT_PRIVATE_KEY_FILE: ${path} is not a key for JWT_ALGORITHM ${algorithm}`);
  }
  const publicKey = createPublicKey(privateKey);
  return { kid: await keyIdOf(publicKey), algorithm, privateKey, publicKey };
}

/** Loads one of JWT_PREVIOUS_PUBLIC_KEY_FILES: an Ed25519 or P-256 public key (a private key's public half also works). */
export async function loadPemVerificationKey(path: string): Promise<VerificationKey> {
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(readPem("JWT_PREVIOUS_PUBLIC_KEY_FILES", path));
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`JWT_PREVIOUS_PUBLIC_KEY_FILES: ${path} is not a PEM key`);
  }
  const algorithm = algorithmOf(publicKey);
  if (algorithm === undefined) {
    throw new ConfigError(`JWT_PREVIOUS_PUBLIC_KEY_FILES: ${path} is neither an Ed25519 nor a P-256 key`);
  }
  return { kid: await keyIdOf(publicKey), algorithm, publicKey };
}
