import { createHmac, createSecretKey, type KeyObject, sign } from "node:crypto";
import type { JwtAlgorithm } from "./jwt-verifier.js";

/** What signs: an HS256 secret or an asymmetric private key, with the kid its header names. */
export type JwtSigningMaterial =
  | { readonly kid: string; readonly algorithm: "HS256"; readonly secret: Uint8Array }
  | { readonly kid: string; readonly algorithm: "EdDSA" | "ES256"; readonly privateKey: KeyObject };

/** Signs a claims object into a compact JWS with the key it was made for. */
export type JwtSigner = (claims: Readonly<Record<string, unknown>>) => string;

const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

function signatureOf(material: JwtSigningMaterial, key: KeyObject, signingInput: string): Buffer {
  if (material.algorithm === "HS256") return createHmac("sha256", key).update(signingInput).digest();
  // ES256 in JWS is the raw r||s pair (IEEE P1363), not DER; EdDSA takes no digest name.
  if (material.algorithm === "ES256")
    return sign("sha256", Buffer.from(signingInput), { key, dsaEncoding: "ieee-p1363" });
  return sign(null, Buffer.from(signingInput), key);
}

/**
 * A synchronous compact-JWS signer (`node:crypto`): HMAC and Ed25519/P-256 signatures take
 * microseconds, while jose's WebCrypto signing went through the libuv thread pool for each
 * token, where it cost a fifth of a refresh's main-thread time (promise and job hand-offs)
 * and queued behind password hashes during logins. The header is encoded once per key.
 */
export function makeJwtSigner(material: JwtSigningMaterial): JwtSigner {
  const algorithm: JwtAlgorithm = material.algorithm;
  const header = segment({ alg: algorithm, typ: "JWT", kid: material.kid });
  const key = material.algorithm === "HS256" ? createSecretKey(material.secret) : material.privateKey;
  return (claims) => {
    const signingInput = `${header}.${segment(claims)}`;
    return `${signingInput}.${signatureOf(material, key, signingInput).toString("base64url")}`;
  };
}
