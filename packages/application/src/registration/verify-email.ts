import {
  type AccountStatus,
  assertTransition,
  type Clock,
  DomainError,
  type RequestContext,
  type UnitOfWork,
  type User,
  UserChanges,
  type UserRepository,
} from "@gatehouse/domain";
import { type AfterUserChangeDeps, afterUserChange } from "../shared/after-user-change.js";
import { audit } from "../shared/audit-entry-for.js";
import { type LifecyclePolicy, registrationExpired } from "../shared/lifecycle-policy.js";
import { type CodeCheckDeps, checkPresentedCode, locateCodeOwner } from "../shared/one-time-codes.js";
import { recordRefusal } from "../shared/refusals.js";

export type VerifyEmailInput = { readonly email: string; readonly code: string } | { readonly token: string };

export interface VerifyEmailDeps extends CodeCheckDeps, AfterUserChangeDeps {
  readonly users: Pick<UserRepository, "findByEmail" | "find">;
  readonly uow: UnitOfWork;
  readonly clock: Clock;
  readonly policy: Pick<LifecyclePolicy, "requireAdminApproval" | "verificationTtlHours" | "enumerationProtection">;
}

const invalidCode = () =>
  new DomainError(
    "INVALID_VERIFICATION_CODE",
    "Invalid or unknown verification code (after 5 wrong codes, request a new one)",
  );
const expired = () =>
  new DomainError("VERIFICATION_EXPIRED", "The verification code has expired; register again or request a new code");

/**
 * Verification (README, self-service lifecycle): a correct code (or link) moves a `pending_verification` user to
 * `active`, or to `pending_approval` when an admin must approve. Wrong code → 400 (the code is
 * burned after MAX_CODE_ATTEMPTS), expired → 410, already verified → 409. The code is consumed
 * in the same transaction as the status change, so it works once even under concurrency.
 */
export function makeVerifyEmail(deps: VerifyEmailDeps) {
  const { policy } = deps;
  const nextStatus: AccountStatus = policy.requireAdminApproval ? "pending_approval" : "active";

  /** Already verified: 409, unless enumeration protection hides whether the address exists. */
  function alreadyVerified(): DomainError {
    return policy.enumerationProtection
      ? invalidCode()
      : new DomainError("ALREADY_VERIFIED", "The email address is already verified");
  }

  return async function verifyEmail(input: VerifyEmailInput, ctx: RequestContext): Promise<User> {
    const { user, presented } = await locateCodeOwner(deps, input);
    if (user === undefined) throw invalidCode();
    if (user.status !== "pending_verification") throw alreadyVerified();

    const check = await checkPresentedCode(deps, "verify_email", presented);
    switch (check.outcome) {
      case "match":
        break;
      case "expired":
        throw expired();
      case "unknown":
        throw registrationExpired(user, undefined, deps.clock.now(), policy.verificationTtlHours)
          ? expired()
          : invalidCode();
      case "burned":
        await recordRefusal(deps, ctx, {
          action: "auth.verification_failed",
          userId: user.id,
          details: { reason: "attempts_exhausted" },
        });
        // The answer of an unknown address: only pending accounts have codes to burn.
        throw invalidCode();
      default:
        await recordRefusal(deps, ctx, {
          action: "auth.verification_failed",
          userId: user.id,
          details: { reason: check.outcome },
        });
        throw invalidCode();
    }
    const now = deps.clock.now();
    assertTransition(user.status, nextStatus);
    const verified = await deps.uow.run(async (tx) => {
      if (!(await tx.oneTimeCodes.consume(check.code.id, now))) throw invalidCode();
      const verified = await tx.users.update(user.id, UserChanges.verifiedEmail(undefined, now, nextStatus), now, {
        deleted: false,
        status: "pending_verification",
      });
      if (verified === undefined) throw alreadyVerified();
      await audit(tx, deps, ctx, {
        action: "auth.email_verified",
        userId: user.id,
        details: { status: nextStatus },
      });
      return verified;
    });
    await afterUserChange(deps, user.id);
    return verified;
  };
}

export type VerifyEmail = ReturnType<typeof makeVerifyEmail>;
