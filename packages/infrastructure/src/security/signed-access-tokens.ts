import { createHash, type JsonWebKey, type KeyObject, randomUUID } from "node:crypto";
import { type AccessTokenClaims, type AccessTokens, DomainError } from "@gatehouse/domain";
import { type JwtSigner, makeJwtSigner } from "./jwt-signer.js";
import { type JwtAlgorithm, type VerificationKey, verifyAccessToken } from "./jwt-verifier.js";

/** The key new tokens are signed with; its `kid` goes into every token's header. */
export type SigningKey =
  | { readonly kid: string; readonly algorithm: "HS256"; readonly secret: Uint8Array }
  | {
      readonly kid: string;
      readonly algorithm: "EdDSA" | "ES256";
      readonly privateKey: KeyObject;
      readonly publicKey: KeyObject;
    };

export interface JwtSettings {
  /** Raw HMAC secret, at least 32 bytes: HS256 with a kid derived from it (used when `signingKey` is absent). */
  readonly secret?: Uint8Array;
  /** Signs new tokens; verifies them too. */
  readonly signingKey?: SigningKey;
  /** Keys that still verify (a rotated-out key until the longest token it signed has expired). */
  readonly verificationKeys?: readonly VerificationKey[];
  readonly issuer: string;
  readonly audience: string;
  readonly accessTokenTtlSeconds: number;
  /** Allowed clock skew when checking `exp`/`iat`, at most 60 s. */
  readonly clockToleranceSeconds: number;
  /**
   * Called when a token names a kid this process does not know (another node may have rotated):
   * resolves true when the keys were reloaded, and the token is then checked once more. The
   * callee bounds how often it really reloads, so unknown kids cannot flood the database.
   */
  readonly onUnknownKid?: () => Promise<boolean>;
}

/** The keys in use: one signs (and verifies), the others only verify. */
export interface TokenKeyRing {
  readonly signingKey: SigningKey;
  readonly verificationKeys: readonly VerificationKey[];
}

const VERIFIED_CACHE_SIZE = 10_000;

/** A stable kid for an HS256 secret, so every node sharing the secret names it alike. */
export function hs256KeyId(secret: Uint8Array): string {
  return `hs-${createHash("sha256").update("gatehouse-kid:").update(secret).digest("base64url").slice(0, 16)}`;
}

function signingKeyOf(settings: JwtSettings): SigningKey {
  if (settings.signingKey !== undefined) return settings.signingKey;
  if (settings.secret === undefined) throw new RangeError("A JWT secret or a signing key is required");
  return { kid: hs256KeyId(settings.secret), algorithm: "HS256", secret: settings.secret };
}

function asVerificationKey(key: SigningKey): VerificationKey {
  return key.algorithm === "HS256"
    ? { kid: key.kid, algorithm: key.algorithm, secret: key.secret }
    : { kid: key.kid, algorithm: key.algorithm, publicKey: key.publicKey };
}

/** The public JWK of an asymmetric key, as `/.well-known/jwks.json` publishes it; HS256 keys have none. */
export function publicJwkOf(
  key: VerificationKey,
): (JsonWebKey & { kid: string; alg: JwtAlgorithm; use: "sig" }) | null {
  if (key.algorithm === "HS256") return null;
  return { ...key.publicKey.export({ format: "jwk" }), kid: key.kid, alg: key.algorithm, use: "sig" };
}

export interface SignedAccessTokens extends AccessTokens {
  /** Public JWKs of every asymmetric key that verifies (signing key first). */
  publicJwks(): NonNullable<ReturnType<typeof publicJwkOf>>[];
  /** Swaps the key ring in one step (a reload after a rotation); tokens in flight see the old or the new ring. */
  useKeys(ring: TokenKeyRing): void;
}

interface LoadedRing {
  readonly signing: SigningKey;
  /** Signs with `signing`; made once per ring, not per token. */
  readonly sign: JwtSigner;
  readonly keys: ReadonlyMap<string, VerificationKey>;
  /** Tokens issued before kids existed carry none: only an HS256 secret can have signed them. */
  readonly legacy: VerificationKey | undefined;
}

function loadRing(signing: SigningKey, verificationKeys: readonly VerificationKey[]): LoadedRing {
  if (signing.algorithm === "HS256" && signing.secret.byteLength < 32) {
    throw new RangeError("JWT secret must be at least 32 bytes");
  }
  for (const key of verificationKeys) {
    if (key.algorithm === "HS256" && key.secret.byteLength < 32)
      throw new RangeError("JWT secret must be at least 32 bytes");
  }
  const keys = new Map<string, VerificationKey>();
  keys.set(signing.kid, asVerificationKey(signing));
  for (const key of verificationKeys) if (!keys.has(key.kid)) keys.set(key.kid, key);
  const legacy = [...keys.values()].find((key) => key.algorithm === "HS256");
  return { signing, sign: makeJwtSigner(signing), keys, legacy };
}

/**
 * Access tokens signed (`jwt-signer.ts`) and verified (`jwt-verifier.ts`) synchronously with
 * `node:crypto`, HS256, EdDSA or ES256 with a `kid` in every header: the algorithm is pinned
 * per kid, and issuer, audience, expiry and not-before are checked.
 */
export async function makeSignedAccessTokens(settings: JwtSettings): Promise<SignedAccessTokens> {
  // Replaced whole by useKeys, never mutated: a verification reads one consistent ring.
  let ring = loadRing(signingKeyOf(settings), settings.verificationKeys ?? []);
  const findKey = (kid: string | undefined) => (kid === undefined ? ring.legacy : ring.keys.get(kid));
  const rules = {
    issuer: settings.issuer,
    audience: settings.audience,
    clockToleranceSeconds: Math.min(settings.clockToleranceSeconds, 60),
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
      const { assurance } = subject;
      const claims = {
        sid: subject.sid,
        roles: subject.roles,
        permissions: subject.permissions,
        amr: assurance.amr,
        acr: assurance.acr,
        auth_time: Math.floor(assurance.authTime.getTime() / 1000),
      };
      const linked = subject.keycloakId == null ? claims : { ...claims, keycloak_id: subject.keycloakId };
      const issuedAt = Math.floor(Date.now() / 1000);
      const token = ring.sign({
        ...linked,
        sub: subject.userId,
        iss: settings.issuer,
        aud: settings.audience,
        jti: randomUUID(),
        iat: issuedAt,
        exp: issuedAt + settings.accessTokenTtlSeconds,
      });
      return { token, expiresIn: settings.accessTokenTtlSeconds };
    },

    async verify(token) {
      const nowSeconds = Date.now() / 1000;
      const cached = verified.get(token);
      if (cached !== undefined) {
        if (nowSeconds < cached.exp + rules.clockToleranceSeconds) return cached;
        verified.delete(token);
        throw new DomainError("TOKEN_EXPIRED", "Access token has expired");
      }
      let unknownKid = false;
      const findOrNote = (kid: string | undefined) => {
        const key = findKey(kid);
        if (key === undefined && kid !== undefined) unknownKid = true;
        return key;
      };
      let claims: AccessTokenClaims;
      try {
        claims = verifyAccessToken(token, findOrNote, rules, nowSeconds);
      } catch (error) {
        // Off the hot path: only a kid this node has never seen waits for a (bounded) reload.
        if (!unknownKid || settings.onUnknownKid === undefined || !(await settings.onUnknownKid())) throw error;
        claims = verifyAccessToken(token, findKey, rules, Date.now() / 1000);
      }
      remember(token, claims);
      return claims;
    },

    publicJwks() {
      return [...ring.keys.values()].map(publicJwkOf).filter((jwk): jwk is NonNullable<typeof jwk> => jwk !== null);
    },

    useKeys(next) {
      const previous = ring;
      ring = loadRing(next.signingKey, next.verificationKeys);
      // A key that left the ring (retired, or withdrawn after a leak) must not keep its tokens alive here.
      if ([...previous.keys.keys()].some((kid) => !ring.keys.has(kid))) verified.clear();
    },
  };
}
