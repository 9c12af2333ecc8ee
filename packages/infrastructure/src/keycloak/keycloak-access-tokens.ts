import { DomainError, type ExternalAccessTokens, type ExternalTokenIdentity } from "@gatehouse/domain";
import { createRemoteJWKSet, decodeJwt, errors, type JWTPayload, jwtVerify } from "jose";

export interface KeycloakTokenSettings {
  /** Pinned from configuration (`{KEYCLOAK_URL}/realms/{realm}`), never read from a token or Host. */
  readonly issuer: string;
  /** The client the token must be meant for: in `aud` (Audience mapper) or as `azp`. */
  readonly clientId: string;
  readonly timeoutMs: number;
  readonly clockToleranceSeconds?: number;
  /** Floor between JWKS fetches (default 30 s). */
  readonly jwksCooldownSeconds?: number;
}

interface KeycloakClaims extends JWTPayload {
  readonly typ?: unknown;
  readonly azp?: unknown;
  readonly sid?: unknown;
  readonly email?: unknown;
  readonly email_verified?: unknown;
  readonly preferred_username?: unknown;
  readonly realm_access?: { readonly roles?: unknown };
  readonly resource_access?: Record<string, { readonly roles?: unknown }>;
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];

/**
 * Keycloak access tokens verified locally against the realm's JWKS (jose `createRemoteJWKSet`:
 * cached, refetched when a token names an unknown `kid`, at most once per cooldown, KEYCLOAK_JWKS_COOLDOWN_SECONDS), so token
 * checks keep working on the cached keys while Keycloak is down.
 */
export class KeycloakAccessTokens implements ExternalAccessTokens {
  private readonly jwks;

  constructor(private readonly settings: KeycloakTokenSettings) {
    this.jwks = createRemoteJWKSet(new URL(`${settings.issuer}/protocol/openid-connect/certs`), {
      timeoutDuration: settings.timeoutMs,
      cooldownDuration: (settings.jwksCooldownSeconds ?? 30) * 1000,
      cacheMaxAge: 10 * 60_000,
    });
  }

  isExternal(token: string): boolean {
    try {
      return decodeJwt(token).iss === this.settings.issuer;
    } catch {
      return false;
    }
  }

  async verify(token: string): Promise<ExternalTokenIdentity> {
    let claims: KeycloakClaims;
    try {
      ({ payload: claims } = await jwtVerify<KeycloakClaims>(token, this.jwks, {
        issuer: this.settings.issuer,
        algorithms: ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"],
        clockTolerance: this.settings.clockToleranceSeconds ?? 5,
        requiredClaims: ["sub", "exp", "iat"],
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw new DomainError("TOKEN_EXPIRED", "Token has expired");
      if (error instanceof errors.JOSEError && !(error instanceof errors.JWKSTimeout)) {
        throw new DomainError("INVALID_TOKEN", "Invalid token");
      }
      throw new DomainError("IDENTITY_BACKEND_UNAVAILABLE");
    }
    const audiences = typeof claims.aud === "string" ? [claims.aud] : strings(claims.aud);
    // Without an Audience mapper Keycloak sets aud to `account` or leaves it out: azp names the client then.
    if (!audiences.includes(this.settings.clientId) && claims.azp !== this.settings.clientId) {
      throw new DomainError("INVALID_TOKEN", "Invalid token");
    }
    // Access tokens only: an ID token (typ ID) or a refresh token (typ Refresh) is refused.
    if (claims.typ !== undefined && claims.typ !== "Bearer") throw new DomainError("INVALID_TOKEN", "Invalid token");
    const roles = strings(claims.realm_access?.roles).map((role) => `realm:${role}`);
    for (const [client, access] of Object.entries(claims.resource_access ?? {})) {
      roles.push(...strings(access.roles).map((role) => `${client}:${role}`));
    }
    return {
      subject: claims.sub as string,
      roles,
      email: typeof claims.email === "string" ? claims.email : null,
      emailVerified: claims.email_verified === true,
      username: typeof claims.preferred_username === "string" ? claims.preferred_username : null,
      sessionId: typeof claims.sid === "string" ? claims.sid : null,
      jti: typeof claims.jti === "string" ? claims.jti : `${claims.sub}:${claims.iat}`,
      iat: claims.iat as number,
      exp: claims.exp as number,
    };
  }
}
