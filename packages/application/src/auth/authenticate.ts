import { type AccessTokenClaims, type AccessTokens, DomainError, type SessionRevocations } from "@gatehouse/domain";

export interface AuthenticateDeps {
  readonly accessTokens: Pick<AccessTokens, "verify">;
  readonly revocations: Pick<SessionRevocations, "isRevoked">;
}

/**
 * Turns a bearer token into verified claims. Runs on every authenticated request, so it does
 * no database work: signature and claims are checked in memory, and the session's revocation
 * is looked up in the in-memory revocation list.
 */
export function makeAuthenticate(deps: AuthenticateDeps) {
  return async function authenticate(bearerToken: string): Promise<AccessTokenClaims> {
    const claims = await deps.accessTokens.verify(bearerToken);
    if (await deps.revocations.isRevoked(claims.sid)) {
      throw new DomainError("SESSION_REVOKED", "Session has been revoked");
    }
    return claims;
  };
}

export type Authenticate = ReturnType<typeof makeAuthenticate>;
