import type { KeycloakSignIn, PasswordHasher } from "@gatehouse/domain";
import type { PasswordCheck } from "../auth/check-credentials.js";
import type { KeycloakSessionHandoff } from "./session-handoff.js";

/**
 * The sign-in password check of IDENTITY_BACKEND=keycloak with KEYCLOAK_PASSWORD_GRANT=true:
 * Keycloak's password grant proves the password, and it counts only for the account linked to
 * the local user (`sub` = `keycloak_id`). Gatehouse issues its own tokens; the Keycloak session
 * the grant opened is handed (`sessions`) to the transaction that opens the Gatehouse session,
 * which keeps its refresh token sealed for the refresh and logout flows; a grant that proves
 * nothing is ended at once (in the background). Keycloak refuses disabled
 * accounts, so for a row that is not active, or that Keycloak has not caught up with yet, the
 * local hash (every password change also reaches it) proves the password instead, and the local
 * status machine answers as in local mode (403 ACCOUNT_NOT_VERIFIED and the like). An email
 * without a local user is still sent to Keycloak, so it costs the same round trip as a known
 * one. Keycloak unreachable → IDENTITY_BACKEND_UNAVAILABLE (the attempt is given back).
 * Checks that are not sign-ins (the current password of a change) use the local hash.
 */
export function makeKeycloakPasswordCheck(deps: {
  readonly signIn: Pick<KeycloakSignIn, "passwordGrant" | "endSession">;
  readonly hasher: Pick<PasswordHasher, "verify">;
  readonly sessions: Pick<KeycloakSessionHandoff, "hold">;
  readonly onEndSessionFailure?: (error: unknown) => void;
}): PasswordCheck {
  return async (proof) => {
    if (proof.signIn === undefined) return deps.hasher.verify(proof.password, proof.stored);
    const { user } = proof.signIn;
    if (user !== undefined && (user.status !== "active" || user.keycloakSyncStatus !== "synced")) {
      return deps.hasher.verify(proof.password, user.passwordHash);
    }
    const tokens = await deps.signIn.passwordGrant(user?.username ?? proof.email, proof.password);
    if (tokens === undefined) return false;
    if (user !== undefined && user.keycloakId !== null && tokens.subject === user.keycloakId) {
      deps.sessions.hold(user.id, tokens);
      return true;
    }
    deps.signIn.endSession(tokens.refreshToken).catch((error) => deps.onEndSessionFailure?.(error));
    return false;
  };
}
