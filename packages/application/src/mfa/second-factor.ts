import type { Clock, MfaRepository, RecoveryCodes, SecretBox, Totp } from "@gatehouse/domain";

/** The second-factor methods a code can be presented for. */
export type SecondFactorMethod = "totp" | "recovery_code";

export interface SecondFactorDeps {
  readonly mfa: Pick<MfaRepository, "findTotp" | "acceptTotpStep" | "useRecoveryCode">;
  readonly totp: Pick<Totp, "matchingStep">;
  readonly secretBox: Pick<SecretBox, "open">;
  readonly recoveryCodes: Pick<RecoveryCodes, "hash">;
  readonly clock: Clock;
}

/**
 * Whether `code` proves `method` for `userId`, spending what it proves with: a TOTP time step
 * is accepted once and only later than the last (the replay guard), a recovery code is used
 * up. Both writes are conditional statements, so of two concurrent presentations of one code
 * exactly one is true.
 */
export async function proveSecondFactor(
  deps: SecondFactorDeps,
  userId: string,
  method: SecondFactorMethod,
  code: string,
): Promise<boolean> {
  const now = deps.clock.now();
  if (method === "recovery_code") {
    return deps.mfa.useRecoveryCode({ userId, codeHash: deps.recoveryCodes.hash(code), now });
  }
  const factor = await deps.mfa.findTotp(userId);
  if (factor === undefined || factor.confirmedAt === null) return false;
  const step = deps.totp.matchingStep(deps.secretBox.open(factor.secretCiphertext), code.trim(), now);
  if (step === undefined) return false;
  return deps.mfa.acceptTotpStep({ factorId: factor.id, timeStep: step, now, confirm: false });
}
