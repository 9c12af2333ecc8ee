import {
  type AccessTokenClaims,
  type AccessTokens,
  DomainError,
  type ExternalAccessTokens,
  type SessionRevocations,
} from "@gatehouse/domain";

export interface AuthenticateDeps {
  readonly accessTokens: Pick<AccessTokens, "verify">;
  readonly revocations: Pick<SessionRevocations, "isRevoked">;
  /**
   * Tokens of a pinned external issuer (Keycloak, `KEYCLOAK_ACCEPT_TOKENS`): a token naming that
   * issuer goes there and only there; every other token is verified as Gatehouse's own.
   */
  readonly external?: {
    readonly tokens: Pick<ExternalAccessTokens, "isExternal">;
    readonly authenticate: (bearerToken: string) => Promise<AccessTokenClaims>;
  };
}

/**
 * Turns a bearer token into verified claims. Runs on every authenticated request, so it does
 * no database work: signature and claims are checked in memory, and the session's revocation
 * is looked up in the in-memory revocation list.
 */
export function makeAuthenticate(deps: AuthenticateDeps) {
  return async function authenticate(bearerToken: string): Promise<AccessTokenClaims> {
    if (deps.external?.tokens.isExternal(bearerToken)) return deps.external.authenticate(bearerToken);
    const claims = await deps.accessTokens.verify(bearerToken);
    if (await deps.revocations.isRevoked(claims.sid)) {
      throw new DomainError("SESSION_REVOKED", "Session has been revoked");
    }
    return claims;
  };
}

export type Authenticate = ReturnType<typeof makeAuthenticate>;
