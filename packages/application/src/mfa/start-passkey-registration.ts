import {
  DomainError,
  guardsLogin,
  type MfaRepository,
  type UserRepository,
  type WebAuthnCredentialRepository,
  type WebAuthnOptionsJson,
  type WebAuthnRelyingParty,
} from "@gatehouse/domain";
import { keepChallenge, type PasskeyChallengeDeps } from "./passkey-challenges.js";
import { requireSecondFactorSession } from "./require-assurance.js";

export interface StartPasskeyRegistrationDeps extends PasskeyChallengeDeps {
  readonly users: Pick<UserRepository, "find">;
  readonly mfa: Pick<MfaRepository, "listFactors">;
  readonly credentials: Pick<WebAuthnCredentialRepository, "listForUser">;
  readonly relyingParty: Pick<WebAuthnRelyingParty, "registrationOptions" | "challengeOf">;
}

/**
 * Options for `navigator.credentials.create()`: the user's registered credentials excluded (an
 * authenticator holding one refuses to make a second), resident key and user verification
 * preferred. Adding a factor to an account a factor already guards needs an aal2 session, as
 * removing one does: a session opened before enrolment must not add an attacker's key.
 */
export function makeStartPasskeyRegistration(deps: StartPasskeyRegistrationDeps) {
  return async function startPasskeyRegistration(caller: {
    readonly userId: string;
    readonly acr: string | undefined;
  }): Promise<WebAuthnOptionsJson> {
    const found = await deps.users.find(caller.userId);
    if (found === undefined) throw new DomainError("USER_NOT_FOUND");
    if ((await deps.mfa.listFactors(caller.userId)).some(guardsLogin)) requireSecondFactorSession(caller.acr);
    const exclude = await deps.credentials.listForUser(caller.userId);
    const options = await deps.relyingParty.registrationOptions({
      userId: caller.userId,
      userName: found.user.email,
      exclude: exclude.map((c) => ({ credentialId: c.credentialId, transports: c.transports })),
    });
    return keepChallenge(deps, options, { ceremony: "registration", userId: caller.userId, mfaTokenHash: null });
  };
}

export type StartPasskeyRegistration = ReturnType<typeof makeStartPasskeyRegistration>;
