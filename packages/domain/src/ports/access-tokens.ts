import type { AssuranceLevel, AuthMethod, SessionAssurance } from "../mfa/mfa.js";

/** What an access token says about its bearer. */
export interface AccessTokenClaims {
  /** The user id. */
  readonly sub: string;
  /** The session: the refresh-token family this token was issued for. */
  readonly sid: string;
  readonly roles: readonly string[];
  readonly permissions: readonly string[];
  /** Unique token id. */
  readonly jti: string;
  /** Issued-at, seconds since the epoch. */
  readonly iat: number;
  /** Expiry, seconds since the epoch. */
  readonly exp: number;
  /** RFC 8176 methods the session was authenticated with; absent on tokens older than MFA. */
  readonly amr?: readonly AuthMethod[];
  /** `aal1` or `aal2`; absent means aal1. */
  readonly acr?: AssuranceLevel;
  /** When the user last proved a factor, seconds since the epoch. */
  readonly auth_time?: number;
  /**
   * Roles a pinned external issuer grants the bearer (Keycloak roles mapped by
   * KEYCLOAK_ROLE_MAPPING), added to the user's own at each permission check. Only the external
   * token path sets it; Gatehouse's own tokens never carry it.
   */
  readonly issuerGrants?: { readonly roles: readonly string[]; readonly permissions: readonly string[] };
}

export interface IssuedAccessToken {
  readonly token: string;
  /** Lifetime in seconds (`expires_in`). */
  readonly expiresIn: number;
}

/** Signs and verifies access tokens (JWT in production). */
export interface AccessTokens {
  /** Signs a token for `subject` in session `sid`, valid for the configured lifetime. */
  issue(subject: {
    readonly userId: string;
    readonly sid: string;
    readonly roles: readonly string[];
    readonly permissions: readonly string[];
    /** The user's Keycloak account, carried as the `keycloak_id` claim when set. */
    readonly keycloakId?: string | null;
    /** Carried as `amr`, `acr` and `auth_time`. */
    readonly assurance: SessionAssurance;
  }): Promise<IssuedAccessToken>;
  /**
   * Verifies signature, algorithm, issuer, audience and expiry.
   * @throws DomainError TOKEN_EXPIRED when expired, INVALID_TOKEN for anything else wrong.
   */
  verify(token: string): Promise<AccessTokenClaims>;
}
