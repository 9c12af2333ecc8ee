import {
  type Clock,
  DomainError,
  type OpaqueTokens,
  WEBAUTHN_CHALLENGE_TTL_SECONDS,
  type WebAuthnCeremony,
  type WebAuthnChallenge,
  type WebAuthnChallengeStore,
  type WebAuthnOptionsJson,
  type WebAuthnRelyingParty,
  type WebAuthnResponseJson,
} from "@gatehouse/domain";

/** What every passkey ceremony needs to keep its challenge server-side. */
export interface PasskeyChallengeDeps {
  readonly challenges: WebAuthnChallengeStore;
  readonly relyingParty: Pick<WebAuthnRelyingParty, "challengeOf">;
  readonly opaqueTokens: Pick<OpaqueTokens, "hash">;
  readonly clock: Clock;
}

/** Stores the challenge of freshly generated `options` for one ceremony (5 minutes, single use). */
export async function keepChallenge(
  deps: PasskeyChallengeDeps,
  options: WebAuthnOptionsJson,
  binding: { ceremony: WebAuthnCeremony; userId: string | null; mfaTokenHash: string | null },
): Promise<WebAuthnOptionsJson> {
  await deps.challenges.save({
    challengeHash: deps.opaqueTokens.hash(options.challenge),
    ...binding,
    expiresAt: new Date(deps.clock.now().getTime() + WEBAUTHN_CHALLENGE_TTL_SECONDS * 1000),
  });
  return options;
}

/**
 * Takes (consumes) the stored challenge the response's `clientDataJSON` signed, for this
 * ceremony only: unknown, expired, already used or issued for another ceremony is
 * WEBAUTHN_CHALLENGE_INVALID. Taken before anything is verified, so a response works once
 * whatever follows. Returns the challenge string the verification must expect.
 */
export async function takeChallenge(
  deps: PasskeyChallengeDeps,
  response: WebAuthnResponseJson,
  ceremony: WebAuthnCeremony,
): Promise<{ readonly challenge: string; readonly stored: WebAuthnChallenge }> {
  const challenge = deps.relyingParty.challengeOf(response);
  const stored =
    challenge === undefined
      ? undefined
      : await deps.challenges.consume(deps.opaqueTokens.hash(challenge), deps.clock.now());
  if (challenge === undefined || stored === undefined || stored.ceremony !== ceremony) {
    throw new DomainError("WEBAUTHN_CHALLENGE_INVALID");
  }
  return { challenge, stored };
}
