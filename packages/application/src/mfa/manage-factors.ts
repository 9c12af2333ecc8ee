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
  type UserRepository,
} from "@gatehouse/domain";
import { audit } from "../shared/audit-entry-for.js";
import { issueRecoveryCodes } from "./recovery-code-set.js";
import { requireSecondFactorSession } from "./require-assurance.js";

export interface ManageFactorsDeps {
  readonly mfa: Pick<
    MfaRepository,
    "listFactors" | "removeFactor" | "replaceRecoveryCodes" | "countUnusedRecoveryCodes"
  >;
  readonly recoveryCodes: RecoveryCodes;
  readonly uow: UnitOfWork<Pick<TransactionalRepositories, "auditLog">>;
  readonly clock: Clock;
  /** MFA_POLICY and where the user's roles are read from; absent: optional, any factor may go. */
  readonly policy?: { readonly mfaPolicy: MfaPolicy; readonly users: Pick<UserRepository, "find"> };
}

/** Whether the policy forbids `userId` to end up with no factor guarding logins. */
async function policyKeepsFactor(deps: Pick<ManageFactorsDeps, "policy">, userId: string): Promise<boolean> {
  if (deps.policy === undefined || deps.policy.mfaPolicy.mode === "optional") return false;
  const found = await deps.policy.users.find(userId);
  return policyRequiresFactor(
    deps.policy.mfaPolicy,
    (found?.roles ?? []).map((role) => role.name),
  );
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

/**
 * Removes one of the user's factors (a pending enrolment too), from an aal2 session while a
 * confirmed factor guards the account. When no factor that guards
 * logins is left, the recovery codes go with it: they would back up nothing. The last such
 * factor of a user MFA_POLICY covers stays (MFA_REQUIRED_BY_POLICY): enrol another first.
 */
export function makeRemoveFactor(deps: ManageFactorsDeps) {
  return async function removeFactor(
    caller: { readonly userId: string; readonly acr: string | undefined },
    factorId: string,
    ctx: RequestContext,
  ): Promise<void> {
    const { userId } = caller;
    const factors = await deps.mfa.listFactors(userId);
    if (!factors.some((f) => f.id === factorId)) throw new DomainError("MFA_FACTOR_NOT_FOUND");
    // A pending enrolment guards nothing yet: removing it needs no second factor.
    if (factors.some(guardsLogin)) requireSecondFactorSession(caller.acr);
    const guarding = factors.filter(guardsLogin);
    const lastGuard = guarding.length === 1 && guarding[0]?.id === factorId;
    if (lastGuard && (await policyKeepsFactor(deps, userId))) throw new DomainError("MFA_REQUIRED_BY_POLICY");
    const removed = await deps.mfa.removeFactor(userId, factorId);
    if (removed === undefined) throw new DomainError("MFA_FACTOR_NOT_FOUND");
    const left = await deps.mfa.listFactors(userId);
    const orphanedCodes = left.some(guardsLogin) ? undefined : left.find((f) => f.type === "recovery_codes");
    if (orphanedCodes !== undefined) await deps.mfa.removeFactor(userId, orphanedCodes.id);
    await deps.uow.run((tx) =>
      audit(tx, deps, ctx, {
        action: "mfa.remove",
        userId,
        details: { type: removed.type, factor_id: removed.id, recovery_codes_removed: orphanedCodes !== undefined },
      }),
    );
  };
}

export type ListFactors = ReturnType<typeof makeListFactors>;
export type RegenerateRecoveryCodes = ReturnType<typeof makeRegenerateRecoveryCodes>;
export type RemoveFactor = ReturnType<typeof makeRemoveFactor>;
