import {
  DomainError,
  type MfaRepository,
  type RequestContext,
  type WebAuthnCredentialRepository,
  type WebAuthnOptionsJson,
  type WebAuthnRelyingParty,
} from "@gatehouse/domain";
import { usableChallenge } from "./mfa-gate.js";
import { keepChallenge, type PasskeyChallengeDeps } from "./passkey-challenges.js";

export interface PasskeySecondFactorOptionsDeps extends PasskeyChallengeDeps {
  readonly mfa: Pick<MfaRepository, "findChallenge">;
  readonly credentials: Pick<WebAuthnCredentialRepository, "listForUser">;
  readonly relyingParty: Pick<WebAuthnRelyingParty, "authenticationOptions" | "challengeOf">;
}

/**
 * Options for `navigator.credentials.get()` as the second step of a held login: the user's
 * credentials allowed, a challenge bound to this `mfa_token` (left unused: POST /auth/mfa/verify
 * consumes it). A token that is unknown, expired or from another client is MFA_TOKEN_INVALID,
 * as at verify; a user without a passkey gets MFA_NOT_ENROLLED (the login answer's `factors`
 * said so already, so this tells a token holder nothing new).
 */
export function makePasskeySecondFactorOptions(deps: PasskeySecondFactorOptionsDeps) {
  return async function passkeySecondFactorOptions(
    mfaToken: string,
    ctx: RequestContext,
  ): Promise<WebAuthnOptionsJson> {
    const tokenHash = deps.opaqueTokens.hash(mfaToken);
    const found = await deps.mfa.findChallenge(tokenHash, deps.clock.now());
    const challenge = usableChallenge(deps.opaqueTokens, ctx, found, "login");
    if (challenge === undefined) throw new DomainError("MFA_TOKEN_INVALID");
    return secondFactorOptions(deps, challenge.userId, tokenHash);
  };
}

/**
 * Options asking for one of `userId`'s passkeys as a second factor, the challenge kept bound to
 * `bindingHash` (a login's `mfa_token`, or a session's step-up): `proveSecondFactor` accepts an
 * assertion only with the same binding. MFA_NOT_ENROLLED without a passkey.
 */
export async function secondFactorOptions(
  deps: Pick<PasskeySecondFactorOptionsDeps, "credentials" | "relyingParty" | "challenges" | "opaqueTokens" | "clock">,
  userId: string,
  bindingHash: string,
): Promise<WebAuthnOptionsJson> {
  const credentials = await deps.credentials.listForUser(userId);
  if (credentials.length === 0) throw new DomainError("MFA_NOT_ENROLLED");
  const options = await deps.relyingParty.authenticationOptions({
    allow: credentials.map((c) => ({ credentialId: c.credentialId, transports: c.transports })),
    userVerification: "preferred",
  });
  return keepChallenge(deps, options, { ceremony: "second_factor", userId, mfaTokenHash: bindingHash });
}

export type PasskeySecondFactorOptions = ReturnType<typeof makePasskeySecondFactorOptions>;
