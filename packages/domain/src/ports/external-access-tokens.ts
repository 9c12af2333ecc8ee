/** What a verified access token of an external issuer (Keycloak) says about its bearer. */
export interface ExternalTokenIdentity {
  /** The account's id at the issuer (Keycloak's user id, Gatehouse's `keycloak_id`). */
  readonly subject: string;
  /** The issuer's roles, as `realm:<role>` and `<client>:<role>` (KEYCLOAK_ROLE_MAPPING keys). */
  readonly roles: readonly string[];
  readonly email: string | null;
  readonly emailVerified: boolean;
  readonly username: string | null;
  /** The issuer's session id, when it gives one. */
  readonly sessionId: string | null;
  readonly jti: string;
  readonly iat: number;
  readonly exp: number;
}

/**
 * Access tokens another issuer signs and Gatehouse accepts on its API (`KEYCLOAK_ACCEPT_TOKENS`).
 * The issuer is pinned in configuration; a token is routed here only when it names that issuer,
 * and verified only against that issuer's keys, so an external token never passes as a Gatehouse
 * token or the reverse.
 */
export interface ExternalAccessTokens {
  /** Whether the token names the external issuer (an unverified peek, used only to route it). */
  isExternal(token: string): boolean;
  /**
   * Verifies signature (the issuer's JWKS), issuer, audience (`aud` or `azp`), token type and expiry.
   * @throws DomainError TOKEN_EXPIRED when expired, INVALID_TOKEN for anything else wrong,
   * IDENTITY_BACKEND_UNAVAILABLE when the issuer's keys cannot be fetched and none is cached.
   */
  verify(token: string): Promise<ExternalTokenIdentity>;
}
