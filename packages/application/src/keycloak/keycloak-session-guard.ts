import type { Clock, KeycloakSessionStore, KeycloakSignIn } from "@gatehouse/domain";
import type { SessionGuard } from "../auth/refresh-session.js";

/**
 * The refresh path's check of the Keycloak session a password-grant sign-in left behind
 * (IDENTITY_BACKEND=keycloak). A session without one (local, social or redirect sign-in) passes.
 * Once Keycloak's access token is within `bufferSeconds` of lapsing, a Keycloak refresh grant
 * renews the held session; Keycloak refusing it (an admin ended the session, the account was
 * disabled, the SSO session ran out) ends the Gatehouse session too. Keycloak unreachable throws
 * IDENTITY_BACKEND_UNAVAILABLE (503): the client's retry of the same refresh token is answered
 * by the rotation's `retry` verdict and checks again.
 */
export function makeKeycloakSessionGuard(deps: {
  readonly store: KeycloakSessionStore;
  readonly signIn: Pick<KeycloakSignIn, "refresh">;
  readonly clock: Clock;
  readonly bufferSeconds: number;
}): SessionGuard {
  return async ({ familyId }) => {
    const held = await deps.store.find(familyId);
    if (held === undefined) return true;
    if (held.accessExpiresAt.getTime() - deps.bufferSeconds * 1000 > deps.clock.now().getTime()) return true;
    const tokens = await deps.signIn.refresh(held.refreshToken);
    if (tokens === undefined) {
      await deps.store.forget(familyId);
      return false;
    }
    await deps.store.renew(familyId, tokens);
    return true;
  };
}
