import {
  type Clock,
  type MfaRepository,
  passkeyMethod,
  type RecoveryCodes,
  type SecretBox,
  type Totp,
  type WebAuthnCredentialRepository,
  type WebAuthnRelyingParty,
  type WebAuthnResponseJson,
} from "@gatehouse/domain";
import { type PasskeyChallengeDeps, takeChallenge } from "./passkey-challenges.js";

/** The second-factor methods POST /auth/mfa/verify accepts. */
export type SecondFactorMethod = "totp" | "recovery_code" | "webauthn";

/** A code (totp, recovery_code) or a passkey assertion (webauthn), as the client presented it. */
export type SecondFactorProof =
  | { readonly method: "totp" | "recovery_code"; readonly code: string }
  | { readonly method: "webauthn"; readonly assertion: WebAuthnResponseJson };

export interface SecondFactorDeps extends PasskeyChallengeDeps {
  readonly mfa: Pick<MfaRepository, "findTotp" | "acceptTotpStep" | "useRecoveryCode">;
  readonly totp: Pick<Totp, "matchingStep">;
  readonly secretBox: Pick<SecretBox, "open">;
  readonly recoveryCodes: Pick<RecoveryCodes, "hash">;
  readonly credentials: Pick<WebAuthnCredentialRepository, "findByCredentialId" | "recordAssertion">;
  readonly relyingParty: Pick<WebAuthnRelyingParty, "verifyAssertion" | "challengeOf">;
  readonly clock: Clock;
}

/**
 * Whether `proof` proves a second factor of `userId`, spending what it proves with: a TOTP time
 * step is accepted once and only later than the last (the replay guard), a recovery code is
 * used up, a passkey's challenge is taken (it must be the one issued for this `mfa_token`) and
 * its counter must advance. Each write is a conditional statement, so of two concurrent
 * presentations exactly one succeeds. Answers what the proof adds to `amr` (`hwk`/`swk` for a
 * passkey), or undefined when it proves nothing.
 */
export async function proveSecondFactor(
  deps: SecondFactorDeps,
  userId: string,
  proof: SecondFactorProof,
  mfaTokenHash: string,
): Promise<"totp" | "recovery_code" | "hwk" | "swk" | undefined> {
  const now = deps.clock.now();
  if (proof.method === "webauthn") {
    const { challenge, stored } = await takeChallenge(deps, proof.assertion, "second_factor");
    if (stored.mfaTokenHash !== mfaTokenHash || stored.userId !== userId) return undefined;
    const credential = await deps.credentials.findByCredentialId(proof.assertion.id);
    if (credential === undefined || credential.userId !== userId) return undefined;
    const verified = await deps.relyingParty.verifyAssertion({
      response: proof.assertion,
      expectedChallenge: challenge,
      credential,
      requireUserVerification: false,
    });
    if (verified === undefined) return undefined;
    const recorded = await deps.credentials.recordAssertion({
      credentialId: credential.credentialId,
      counter: verified.counter,
      backupState: verified.backupState,
      now,
    });
    return recorded ? passkeyMethod(credential) : undefined;
  }
  if (proof.method === "recovery_code") {
    const used = await deps.mfa.useRecoveryCode({ userId, codeHash: deps.recoveryCodes.hash(proof.code), now });
    return used ? "recovery_code" : undefined;
  }
  const factor = await deps.mfa.findTotp(userId);
  if (factor === undefined || factor.confirmedAt === null) return undefined;
  const step = deps.totp.matchingStep(deps.secretBox.open(factor.secretCiphertext), proof.code.trim(), now);
  if (step === undefined) return undefined;
  const accepted = await deps.mfa.acceptTotpStep({ factorId: factor.id, timeStep: step, now, confirm: false });
  return accepted ? "totp" : undefined;
}
