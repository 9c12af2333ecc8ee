import { randomUUID } from "node:crypto";
import { type AccessTokenClaims, type AccessTokens, DomainError } from "@gatehouse/domain";
import { errors, jwtVerify, SignJWT } from "jose";

export interface JwtSettings {
  /** Raw HMAC secret, at least 32 bytes. */
  readonly secret: Uint8Array;
  readonly issuer: string;
  readonly audience: string;
  readonly accessTokenTtlSeconds: number;
  /** Allowed clock skew when checking `exp`/`iat`, at most 60 s. */
  readonly clockToleranceSeconds: number;
}

const ALGORITHM = "HS256";
const VERIFIED_CACHE_SIZE = 10_000;

function asStringArray(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((item) => typeof item === "string") ? value : undefined;
}

function toClaims(payload: Record<string, unknown>): AccessTokenClaims {
  const { sub, sid, jti, iat, exp } = payload;
  const roles = asStringArray(payload.roles);
  const permissions = asStringArray(payload.permissions);
  if (
    typeof sub !== "string" ||
    typeof sid !== "string" ||
    typeof jti !== "string" ||
    typeof iat !== "number" ||
    typeof exp !== "number" ||
    roles === undefined ||
    permissions === undefined
  ) {
    throw new DomainError("INVALID_TOKEN", "Access token is invalid");
  }
  return { sub, sid, jti, iat, exp, roles, permissions };
}

/**
 * HS256 access tokens with jose. The key is imported once as a non-extractable CryptoKey;
 * verification pins the algorithm and checks issuer, audience and expiry.
 */
export async function makeJoseAccessTokens(settings: JwtSettings): Promise<AccessTokens> {
  if (settings.secret.byteLength < 32) throw new RangeError("JWT secret must be at least 32 bytes");
  const key = await crypto.subtle.importKey("raw", settings.secret, { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ]);
  const verifyOptions = {
    algorithms: [ALGORITHM],
    issuer: settings.issuer,
    audience: settings.audience,
    clockTolerance: Math.min(settings.clockToleranceSeconds, 60),
    requiredClaims: ["sub", "exp", "iat", "jti"],
  };

  // Clients send the same access token for its whole life: its signature is checked once per
  // process, then the exact token string maps to its claims until it expires. A different
  // string (a tampered one) misses and is verified in full. Revocation is not cached here.
  const verified = new Map<string, AccessTokenClaims>();
  const remember = (token: string, claims: AccessTokenClaims) => {
    if (verified.size >= VERIFIED_CACHE_SIZE) {
      const oldest = verified.keys().next();
      if (!oldest.done) verified.delete(oldest.value);
    }
    verified.set(token, claims);
  };

  return {
    async issue(subject) {
      const token = await new SignJWT({ sid: subject.sid, roles: subject.roles, permissions: subject.permissions })
        .setProtectedHeader({ alg: ALGORITHM, typ: "JWT" })
        .setSubject(subject.userId)
        .setIssuer(settings.issuer)
        .setAudience(settings.audience)
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime(`${settings.accessTokenTtlSeconds}s`)
        .sign(key);
      return { token, expiresIn: settings.accessTokenTtlSeconds };
    },

    async verify(token) {
      const nowSeconds = Date.now() / 1000;
      const cached = verified.get(token);
      if (cached !== undefined) {
        if (nowSeconds <= cached.exp + verifyOptions.clockTolerance) return cached;
        verified.delete(token);
        throw new DomainError("TOKEN_EXPIRED", "Access token has expired");
      }
      try {
        const { payload } = await jwtVerify(token, key, verifyOptions);
        const claims = toClaims(payload);
        remember(token, claims);
        return claims;
      } catch (error) {
        if (error instanceof errors.JWTExpired) throw new DomainError("TOKEN_EXPIRED", "Access token has expired");
        if (error instanceof DomainError) throw error;
        throw new DomainError("INVALID_TOKEN", "Access token is invalid");
      }
    },
  };
}
