import { createHmac, type KeyObject, timingSafeEqual, verify as verifySignature } from "node:crypto";
import { type AccessTokenClaims, type AssuranceLevel, type AuthMethod, DomainError } from "@gatehouse/domain";

/** The signature algorithms Gatehouse signs access tokens with. */
export type JwtAlgorithm = "EdDSA" | "ES256" | "HS256";
export const JWT_ALGORITHMS: readonly JwtAlgorithm[] = ["EdDSA", "ES256", "HS256"];

/**
 * One verification key. Its algorithm is pinned: a token naming this `kid` with another `alg`
 * is refused, so an HS256 token "signed" with a public key (alg confusion) never verifies.
 */
export type VerificationKey =
  | { readonly kid: string; readonly algorithm: "HS256"; readonly secret: Uint8Array }
  | { readonly kid: string; readonly algorithm: "EdDSA" | "ES256"; readonly publicKey: KeyObject };

export interface ClaimRules {
  readonly issuer: string;
  readonly audience: string;
  /** Allowed clock skew for `exp` and `nbf`, seconds. */
  readonly clockToleranceSeconds: number;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;
const invalid = () => new DomainError("INVALID_TOKEN", "Access token is invalid");

function decodeJson(segment: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
  } catch {
    throw invalid();
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalid();
  return value as Record<string, unknown>;
}

function stringArray(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === "string") ? value : undefined;
}

function signatureMatches(key: VerificationKey, signingInput: string, signature: Buffer): boolean {
  if (key.algorithm === "HS256") {
    const expected = createHmac("sha256", key.secret).update(signingInput).digest();
    return expected.length === signature.length && timingSafeEqual(expected, signature);
  }
  if (key.algorithm === "EdDSA") {
    return signature.length === 64 && verifySignature(null, Buffer.from(signingInput), key.publicKey, signature);
  }
  // ES256 in JWS is the raw r||s pair (IEEE P1363), not DER.
  return (
    signature.length === 64 &&
    verifySignature("sha256", Buffer.from(signingInput), { key: key.publicKey, dsaEncoding: "ieee-p1363" }, signature)
  );
}

/**
 * Verifies a compact JWS access token synchronously with `node:crypto`: no promise, no thread
 * pool, so a token check never queues behind password hashes. The header must name a known
 * `kid` (a token without one is accepted only by an HS256 key, for tokens issued before kids
 * existed) and exactly that key's algorithm; `crit` is refused; then `iss`, `aud`, `exp`, `nbf`
 * and the Gatehouse claims are checked strictly. `findKey` returns undefined for an unknown kid.
 */
export function verifyAccessToken(
  token: string,
  findKey: (kid: string | undefined) => VerificationKey | undefined,
  rules: ClaimRules,
  nowSeconds: number,
): AccessTokenClaims {
  const parts = token.split(".");
  if (parts.length !== 3) throw invalid();
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  if (!SEGMENT.test(headerPart) || !SEGMENT.test(payloadPart) || !SEGMENT.test(signaturePart)) throw invalid();

  const header = decodeJson(headerPart);
  if (header.crit !== undefined || (header.typ !== undefined && header.typ !== "JWT")) throw invalid();
  const kid = header.kid;
  if (kid !== undefined && typeof kid !== "string") throw invalid();
  const key = findKey(kid);
  if (key === undefined || header.alg !== key.algorithm) throw invalid();
  if (kid === undefined && key.algorithm !== "HS256") throw invalid();
  if (!signatureMatches(key, `${headerPart}.${payloadPart}`, Buffer.from(signaturePart, "base64url"))) throw invalid();

  const payload = decodeJson(payloadPart);
  const { sub, sid, jti, iat, exp, nbf, iss, aud } = payload;
  const roles = stringArray(payload.roles);
  const permissions = stringArray(payload.permissions);
  if (
    typeof sub !== "string" ||
    typeof sid !== "string" ||
    typeof jti !== "string" ||
    typeof iat !== "number" ||
    typeof exp !== "number" ||
    (nbf !== undefined && typeof nbf !== "number") ||
    roles === undefined ||
    permissions === undefined
  ) {
    throw invalid();
  }
  if (iss !== rules.issuer) throw invalid();
  const audiences = typeof aud === "string" ? [aud] : stringArray(aud);
  if (audiences === undefined || !audiences.includes(rules.audience)) throw invalid();
  const tolerance = rules.clockToleranceSeconds;
  if (typeof nbf === "number" && nbf > nowSeconds + tolerance) throw invalid();
  if (exp <= nowSeconds - tolerance) throw new DomainError("TOKEN_EXPIRED", "Access token has expired");
  return { sub, sid, jti, iat, exp, roles, permissions, ...assuranceClaims(payload) };
}

const AUTH_METHODS: readonly AuthMethod[] = ["pwd", "otp", "mfa", "fed", "hwk", "swk", "user"];

/**
 * `amr`, `acr` and `auth_time` when well-formed; a malformed one is dropped rather than
 * trusted, so the token counts as aal1 (never higher than it proves).
 */
function assuranceClaims(payload: Record<string, unknown>): Pick<AccessTokenClaims, "amr" | "acr" | "auth_time"> {
  const amr = stringArray(payload.amr)?.filter((m): m is AuthMethod => (AUTH_METHODS as string[]).includes(m));
  const acr = payload.acr === "aal2" || payload.acr === "aal1" ? (payload.acr as AssuranceLevel) : undefined;
  const authTime = typeof payload.auth_time === "number" ? payload.auth_time : undefined;
  return {
    ...(amr === undefined ? {} : { amr }),
    ...(acr === undefined ? {} : { acr }),
    ...(authTime === undefined ? {} : { auth_time: authTime }),
  };
}
