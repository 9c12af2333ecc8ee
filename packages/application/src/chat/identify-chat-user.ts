import { type AccessTokenClaims, displayName } from "@gatehouse/domain";
import type { GetCurrentUser } from "../account/get-current-user.js";
import type { Authenticate } from "../auth/authenticate.js";

export interface IdentifyChatUserDeps {
  readonly authenticate: Authenticate;
  readonly getCurrentUser: GetCurrentUser;
}

export interface ChatIdentity {
  readonly claims: AccessTokenClaims;
  /** The name shown with the user's messages. */
  readonly name: string;
}

/**
 * A socket's authorization: the token must be valid and unrevoked and its account usable, as
 * for any request; the name is read once here, not per message.
 */
export function makeIdentifyChatUser(deps: IdentifyChatUserDeps) {
  return async function identifyChatUser(token: string): Promise<ChatIdentity> {
    const claims = await deps.authenticate(token);
    const account = await deps.getCurrentUser(claims.sub);
    return { claims, name: displayName(account.user) };
  };
}

export type IdentifyChatUser = ReturnType<typeof makeIdentifyChatUser>;
