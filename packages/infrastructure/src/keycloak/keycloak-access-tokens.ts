import { DomainError, type ExternalAccessTokens, type ExternalTokenIdentity } from "@gatehouse/domain";
import { createRemoteJWKSet, decodeJwt, errors, type JWTPayload, jwtVerify } from "jose";
import { toDomainError } from "./keycloak-error.js";
import { keycloakFetch } from "./keycloak-http.js";

export interface KeycloakTokenSettings {
  /** Pinned from configuration (`{KEYCLOAK_URL}/realms/{realm}`), never read from a token or Host. */
  readonly issuer: string;
  /** The client the token must be meant for: in `aud` (Audience mapper) or as `azp`. */
  readonly clientId: string;
  readonly timeoutMs: number;
  readonly clockToleranceSeconds?: number;
  /** Floor between JWKS fetches (default 30 s). */
  readonly jwksCooldownSeconds?: number;
  /**
   * KEYCLOAK_INTROSPECTION: which tokens are also asked about at the realm's introspection
   * endpoint, authenticated as `clientId` with this secret. Absent: none.
   */
  readonly introspection?: { readonly mode: "lightweight" | "always"; readonly clientSecret: string };
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
 * checks keep working on the cached keys while Keycloak is down. With KEYCLOAK_INTROSPECTION a
 * locally valid token is also introspected (lightweight ones, or all): that call needs Keycloak,
 * so those checks answer 503 while it is down.
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
        // No `sub`: a lightweight access token leaves it to the introspection.
        requiredClaims: ["exp", "iat"],
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
    // A lightweight access token carries no subject, roles or email: only the introspection has them.
    const lightweight = claims.realm_access === undefined && claims.resource_access === undefined;
    const { introspection } = this.settings;
    if (introspection !== undefined && (introspection.mode === "always" || lightweight)) {
      claims = await this.introspect(token, claims, introspection.clientSecret);
    }
    if (typeof claims.sub !== "string" || claims.sub === "") throw new DomainError("INVALID_TOKEN", "Invalid token");
    return identityOf(claims);
  }

  /**
   * Asks Keycloak whether the token is still active (its session not ended, its user not
   * disabled) and for its full claims; the signature, issuer and audience were checked locally.
   */
  private async introspect(token: string, verified: KeycloakClaims, clientSecret: string): Promise<KeycloakClaims> {
    let answer: { status: number; body: unknown };
    try {
      answer = await keycloakFetch(
        `${this.settings.issuer}/protocol/openid-connect/token/introspect`,
        {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
          body: new URLSearchParams({ token, client_id: this.settings.clientId, client_secret: clientSecret }),
        },
        this.settings.timeoutMs,
      );
    } catch (error) {
      throw toDomainError(error);
    }
    // Refused client credentials are a configuration fault, not the caller's: 503, like Keycloak down.
    if (answer.status !== 200 || typeof answer.body !== "object" || answer.body === null) {
      throw new DomainError("IDENTITY_BACKEND_UNAVAILABLE");
    }
    const introspected = answer.body as KeycloakClaims & { readonly active?: unknown };
    if (introspected.active !== true || (verified.sub !== undefined && introspected.sub !== verified.sub)) {
      throw new DomainError("INVALID_TOKEN", "Invalid token");
    }
    // What the signed token says about itself (subject, issuer, audience, times) stays; roles and
    // profile claims come from the introspection when it has them (Keycloak's answer now).
    return {
      ...verified,
      sub: verified.sub ?? introspected.sub,
      realm_access: introspected.realm_access ?? verified.realm_access,
      resource_access: introspected.resource_access ?? verified.resource_access,
      email: introspected.email ?? verified.email,
      email_verified: introspected.email_verified ?? verified.email_verified,
      preferred_username: introspected.preferred_username ?? verified.preferred_username,
    };
  }
}

/** What the verified (and, where asked, introspected) claims say about the bearer. */
function identityOf(claims: KeycloakClaims): ExternalTokenIdentity {
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
