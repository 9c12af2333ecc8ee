import {
  type Clock,
  DomainError,
  guardsLogin,
  type MfaFactor,
  type MfaPolicy,
  type MfaRepository,
  policyRequiresFactor,
  type RecoveryCodes,
  type RequestContext,
  type TransactionalRepositories,
  type UnitOfWork,
} from "@gatehouse/domain";
import { audit } from "../shared/audit-entry-for.js";
import { issueRecoveryCodes } from "./recovery-code-set.js";
import { requireSecondFactorSession } from "./require-assurance.js";

export interface ManageFactorsDeps {
  readonly mfa: Pick<MfaRepository, "listFactors" | "replaceRecoveryCodes" | "countUnusedRecoveryCodes">;
  readonly recoveryCodes: RecoveryCodes;
  readonly uow: UnitOfWork<Pick<TransactionalRepositories, "auditLog">>;
  readonly clock: Clock;
}

/** A confirmed factor as its owner sees it; recovery codes with how many are left. */
export interface FactorView extends MfaFactor {
  readonly remainingCodes: number | null;
}

/** The user's confirmed factors (a pending enrolment is not one), never a secret. */
export function makeListFactors(deps: Pick<ManageFactorsDeps, "mfa">) {
  return async function listFactors(userId: string): Promise<FactorView[]> {
    const factors = (await deps.mfa.listFactors(userId)).filter((f) => f.confirmedAt !== null);
    const remaining = factors.some((f) => f.type === "recovery_codes")
      ? await deps.mfa.countUnusedRecoveryCodes(userId)
      : null;
    return factors.map((f) => ({ ...f, remainingCodes: f.type === "recovery_codes" ? remaining : null }));
  };
}

/**
 * A new recovery-code set, voiding the old one; only for a user with a factor the codes can
 * stand in for (MFA_NOT_ENROLLED otherwise), from an aal2 session.
 */
export function makeRegenerateRecoveryCodes(deps: ManageFactorsDeps) {
  return async function regenerateRecoveryCodes(
    caller: { readonly userId: string; readonly acr: string | undefined },
    ctx: RequestContext,
  ): Promise<string[]> {
    const { userId } = caller;
    if (!(await deps.mfa.listFactors(userId)).some(guardsLogin)) throw new DomainError("MFA_NOT_ENROLLED");
    requireSecondFactorSession(caller.acr);
    const { factor, codes } = await issueRecoveryCodes(deps, userId, deps.clock.now());
    await deps.uow.run((tx) =>
      audit(tx, deps, ctx, { action: "mfa.recovery_codes_regenerated", userId, details: { factor_id: factor.id } }),
    );
    return codes;
  };
}

export interface RemoveFactorDeps {
  /** The owner's row is locked for the check and the delete: see makeRemoveFactor. */
  readonly uow: UnitOfWork<Pick<TransactionalRepositories, "users" | "mfa" | "auditLog">>;
  readonly clock: Clock;
  /** MFA_POLICY; absent: optional, any factor may go. */
  readonly mfaPolicy?: MfaPolicy;
}

/**
 * Removes one of the user's factors (a pending enrolment too), from an aal2 session while a
 * confirmed factor guards the account. When no factor that guards logins is left, the recovery
 * codes go with it: they would back up nothing. The last such factor of a user MFA_POLICY
 * covers stays (MFA_REQUIRED_BY_POLICY: enrol another first). The check and the delete run in
 * one transaction holding the owner's row lock, so two parallel removals of a covered user's
 * last two factors cannot both pass.
 */
export function makeRemoveFactor(deps: RemoveFactorDeps) {
  return async function removeFactor(
    caller: { readonly userId: string; readonly acr: string | undefined },
    factorId: string,
    ctx: RequestContext,
  ): Promise<void> {
    const { userId } = caller;
    await deps.uow.run(async (tx) => {
      const owner = await tx.users.find(userId, { lock: true });
      const factors = await tx.mfa.listFactors(userId);
      if (owner === undefined || !factors.some((f) => f.id === factorId)) throw new DomainError("MFA_FACTOR_NOT_FOUND");
      const guarding = factors.filter(guardsLogin);
      // A pending enrolment guards nothing yet: removing it needs no second factor.
      if (guarding.length > 0) requireSecondFactorSession(caller.acr);
      const lastGuard = guarding.length === 1 && guarding[0]?.id === factorId;
      const roles = owner.roles.map((role) => role.name);
      if (lastGuard && policyRequiresFactor(deps.mfaPolicy ?? { mode: "optional" }, roles)) {
        throw new DomainError("MFA_REQUIRED_BY_POLICY");
      }
      const removed = await tx.mfa.removeFactor(userId, factorId);
      if (removed === undefined) throw new DomainError("MFA_FACTOR_NOT_FOUND");
      const left = factors.filter((f) => f.id !== factorId);
      const orphanedCodes = left.some(guardsLogin) ? undefined : left.find((f) => f.type === "recovery_codes");
      if (orphanedCodes !== undefined) await tx.mfa.removeFactor(userId, orphanedCodes.id);
      await audit(tx, deps, ctx, {
        action: "mfa.remove",
        userId,
        details: { type: removed.type, factor_id: removed.id, recovery_codes_removed: orphanedCodes !== undefined },
      });
    });
  };
}

export type ListFactors = ReturnType<typeof makeListFactors>;
export type RegenerateRecoveryCodes = ReturnType<typeof makeRegenerateRecoveryCodes>;
export type RemoveFactor = ReturnType<typeof makeRemoveFactor>;
