import type { MfaFactor, MfaRepository, RecoveryCodes } from "@gatehouse/domain";

/** How many recovery codes a set holds. */
export const RECOVERY_CODE_COUNT = 10;

/**
 * A new set of recovery codes for `userId`, replacing (voiding) the old one: the codes are
 * returned to be shown once, only their hashes are stored.
 */
export async function issueRecoveryCodes(
  deps: { readonly mfa: Pick<MfaRepository, "replaceRecoveryCodes">; readonly recoveryCodes: RecoveryCodes },
  userId: string,
  now: Date,
): Promise<{ factor: MfaFactor; codes: string[] }> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => deps.recoveryCodes.newCode());
  const codeHashes = codes.map((code) => deps.recoveryCodes.hash(code));
  const factor = await deps.mfa.replaceRecoveryCodes({ userId, codeHashes, now });
  return { factor, codes };
}
