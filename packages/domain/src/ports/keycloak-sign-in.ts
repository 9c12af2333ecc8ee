/**
 * What Keycloak hands back for a session it holds (the realm's token endpoint). Gatehouse keeps
 * the refresh token server-side (sealed at rest), never gives it to a client, and issues its own
 * token pair instead.
 */
export interface KeycloakTokenSet {
  /** The Keycloak account's id (`sub`). */
  readonly subject: string;
  readonly refreshToken: string;
  /** When Keycloak's refresh token stops working (`refresh_expires_in`); null when it does not say. */
  readonly refreshExpiresAt: Date | null;
  /** When Keycloak's access token expires (`expires_in`). */
  readonly accessExpiresAt: Date;
  /** Keycloak's session id (`sid`/`session_state`), for the audit trail. */
  readonly sessionId: string | null;
}

/**
 * Keycloak's OpenID Connect endpoints for the client users authenticate through
 * (`KEYCLOAK_CLIENT_ID`). Every method throws DomainError IDENTITY_BACKEND_UNAVAILABLE when
 * Keycloak cannot be reached, times out or answers 5xx; Keycloak's own messages never reach a client.
 */
export interface KeycloakSignIn {
  /**
   * The resource-owner password grant (only with `KEYCLOAK_PASSWORD_GRANT=true`). Undefined when
   * Keycloak refuses the credentials for any reason (wrong password, unknown or disabled account,
   * account not fully set up): the caller answers all of them alike.
   */
  passwordGrant(username: string, password: string): Promise<KeycloakTokenSet | undefined>;
  /** A refresh grant; undefined when Keycloak ended the session (an admin, expiry, a disabled account). */
  refresh(refreshToken: string): Promise<KeycloakTokenSet | undefined>;
  /** Ends the Keycloak session behind the refresh token; a session already over is fine. */
  endSession(refreshToken: string): Promise<void>;
}
