import {
  type Clock,
  DomainError,
  type MfaRepository,
  passkeyMethod,
  type RecoveryCodes,
  type RequestContext,
  type SecretBox,
  type Totp,
  type TransactionalRepositories,
  type WebAuthnCredentialRepository,
  type WebAuthnRelyingParty,
  type WebAuthnResponseJson,
} from "@gatehouse/domain";
import { type CredentialFailures, takeCredentialAttempt } from "../auth/credential-attempts.js";
import { audit } from "../shared/audit-entry-for.js";
import { type RefusalDeps, recordRefusal } from "../shared/refusals.js";
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

/** What proving a factor under the failure budget needs besides the factors themselves. */
export interface BudgetedSecondFactorDeps extends SecondFactorDeps, RefusalDeps {
  /** Wrong codes spend the same failure budget as wrong passwords. */
  readonly credentialFailures: CredentialFailures;
}

/**
 * {@link proveSecondFactor} for `user` as the login's second step and a step-up both run it:
 * the code takes a slot of the account's credential-failure budget before it is checked and
 * gives it back once proven, so guessing codes runs into the same 429 as guessing passwords.
 * Every refusal is audited as `mfa.verify_failed` (with `details`); a proof that proves
 * nothing is MFA_CODE_INVALID.
 */
export async function proveWithinBudget(
  deps: BudgetedSecondFactorDeps,
  ctx: RequestContext,
  user: { readonly id: string; readonly email: string },
  proof: SecondFactorProof,
  binding: { readonly hash: string; readonly details: Record<string, unknown> },
): Promise<"totp" | "recovery_code" | "hwk" | "swk"> {
  const refuse = (reason: string) =>
    recordRefusal(deps, ctx, {
      action: "mfa.verify_failed",
      userId: user.id,
      details: { method: proof.method, ...binding.details, reason },
    });
  const attempt = await takeCredentialAttempt(deps.credentialFailures, { email: user.email, userId: user.id, ctx });
  const proven = await proveSecondFactor(deps, user.id, proof, binding.hash).catch(async (error: unknown) => {
    if (error instanceof DomainError) await refuse(error.code.toLowerCase());
    throw error;
  });
  if (proven === undefined) {
    await refuse("wrong_code");
    throw new DomainError("MFA_CODE_INVALID");
  }
  await attempt.giveBack();
  return proven;
}

/** A recovery code was spent: audited on its own and the owner is mailed, in the caller's transaction. */
export async function noticeRecoveryCodeUse(
  tx: Pick<TransactionalRepositories, "auditLog" | "outbox">,
  deps: { readonly clock: Clock },
  ctx: RequestContext,
  user: { readonly id: string; readonly email: string; readonly username: string },
): Promise<void> {
  await audit(tx, deps, ctx, { action: "mfa.recovery_code_used", userId: user.id });
  // Not throttled: only someone holding the password (or a session) and a code causes it, and the owner must hear.
  await tx.outbox.enqueue({ to: user.email, template: "mfa-recovery-code-used", data: { username: user.username } });
}
