import type { WebAuthnOptionsJson, WebAuthnRelyingParty } from "@gatehouse/domain";
import { keepChallenge, type PasskeyChallengeDeps } from "../mfa/passkey-challenges.js";

export interface PasskeyLoginOptionsDeps extends PasskeyChallengeDeps {
  readonly relyingParty: Pick<WebAuthnRelyingParty, "authenticationOptions" | "challengeOf">;
}

/**
 * Options for a passwordless sign-in (PASSKEY_LOGIN): no allowed credentials (the browser
 * offers the discoverable passkeys it holds for this RP, so nothing about any account is
 * said) and user verification required. The challenge names no user.
 */
export function makePasskeyLoginOptions(deps: PasskeyLoginOptionsDeps) {
  return async function passkeyLoginOptions(): Promise<WebAuthnOptionsJson> {
    const options = await deps.relyingParty.authenticationOptions({ allow: [], userVerification: "required" });
    return keepChallenge(deps, options, { ceremony: "passwordless", userId: null, mfaTokenHash: null });
  };
}

export type PasskeyLoginOptions = ReturnType<typeof makePasskeyLoginOptions>;
