import {
  type Clock,
  DomainError,
  type MfaRepository,
  type RecoveryCodes,
  type RequestContext,
  type SecretBox,
  type Totp,
  type TransactionalRepositories,
  type UnitOfWork,
} from "@gatehouse/domain";
import { audit } from "../shared/audit-entry-for.js";
import { recordRefusal } from "../shared/refusals.js";
import { issueRecoveryCodes } from "./recovery-code-set.js";

export interface ConfirmTotpEnrolmentDeps {
  readonly mfa: Pick<MfaRepository, "findTotp" | "acceptTotpStep" | "replaceRecoveryCodes">;
  readonly totp: Pick<Totp, "matchingStep">;
  readonly secretBox: Pick<SecretBox, "open">;
  readonly recoveryCodes: RecoveryCodes;
  readonly uow: UnitOfWork<Pick<TransactionalRepositories, "auditLog">>;
  readonly clock: Clock;
}

/**
 * Completes enrolment with the first valid code from the app: the factor is confirmed (and
 * that code's step spent) in one conditional statement, and only then exists for logins. The
 * answer carries a fresh set of recovery codes, shown this once.
 */
export function makeConfirmTotpEnrolment(deps: ConfirmTotpEnrolmentDeps) {
  return async function confirmTotpEnrolment(
    userId: string,
    code: string,
    ctx: RequestContext,
  ): Promise<{ factorId: string; recoveryCodes: string[] }> {
    const factor = await deps.mfa.findTotp(userId);
    if (factor === undefined) throw new DomainError("MFA_ENROLLMENT_NOT_STARTED");
    if (factor.confirmedAt !== null) throw new DomainError("MFA_ALREADY_ENROLLED");
    const now = deps.clock.now();
    const step = deps.totp.matchingStep(deps.secretBox.open(factor.secretCiphertext), code.trim(), now);
    const accepted =
      step !== undefined &&
      (await deps.mfa.acceptTotpStep({ factorId: factor.id, timeStep: step, now, confirm: true }));
    if (!accepted) {
      await recordRefusal(deps, ctx, {
        action: "mfa.verify_failed",
        userId,
        details: { method: "totp", reason: "enrolment_code" },
      });
      throw new DomainError("MFA_CODE_INVALID");
    }
    const { codes } = await issueRecoveryCodes(deps, userId, now);
    await deps.uow.run((tx) =>
      audit(tx, deps, ctx, { action: "mfa.enroll", userId, details: { type: "totp", factor_id: factor.id } }),
    );
    return { factorId: factor.id, recoveryCodes: codes };
  };
}

export type ConfirmTotpEnrolment = ReturnType<typeof makeConfirmTotpEnrolment>;
