import {
  type Clock,
  DomainError,
  type PasswordHasher,
  type PasswordPolicy,
  type RequestContext,
  type UnitOfWork,
  type UserRepository,
  validationError,
} from "@gatehouse/domain";
import { type AfterUserChangeDeps, afterUserChange } from "../shared/after-user-change.js";
import { checkNewPassword, storeNewPassword } from "../shared/new-password.js";
import { type CodeCheckDeps, checkPresentedCode, locateCodeOwner } from "../shared/one-time-codes.js";
import { recordRefusal } from "../shared/refusals.js";

export type ResetPasswordInput = ({ readonly token: string } | { readonly email: string; readonly code: string }) & {
  readonly newPassword: string;
};

export interface ResetPasswordDeps extends CodeCheckDeps, AfterUserChangeDeps {
  readonly users: Pick<UserRepository, "findByEmail" | "find">;
  readonly uow: UnitOfWork;
  readonly hasher: PasswordHasher;
  readonly clock: Clock;
  readonly passwordPolicy: PasswordPolicy;
}

const invalidReset = () =>
  new DomainError(
    "INVALID_RESET_TOKEN",
    "Invalid, used or expired password reset code (after 5 wrong codes, request a new one)",
  );

/**
 * Account recovery, step two: a valid reset code or link sets a new password (policy applies,
 * the current password is refused), revokes every session (their access tokens fail on the next
 * request), queues a "password changed" mail and audits it, all in one transaction. It does not
 * log the user in.
 */
export function makeResetPassword(deps: ResetPasswordDeps) {
  return async function resetPassword(input: ResetPasswordInput, ctx: RequestContext): Promise<void> {
    // Before the code owner is looked up, so a weak password is refused alike for every address;
    // the username is therefore not a context word here, the typed email is.
    const context = "email" in input ? { email: input.email } : {};
    const issue = await checkNewPassword(input.newPassword, deps.passwordPolicy, context, "new_password");
    if (issue) throw validationError([issue]);
    const { user, presented } = await locateCodeOwner(deps, input);
    if (user === undefined) throw invalidReset();
    const check = await checkPresentedCode(deps, "reset_password", presented);
    if (check.outcome !== "match") {
      await recordRefusal(deps, ctx, {
        action: "auth.password_reset_failed",
        userId: user.id,
        details: { reason: check.outcome },
      });
      // Burned or wrong, the answer is the one an unknown address gets: a burned code must not
      // tell an attacker that the address has an account (the audit entry keeps the reason).
      throw invalidReset();
    }
    if (await deps.hasher.verify(input.newPassword, user.passwordHash)) {
      throw validationError([{ field: "new_password", message: "must differ from the current password" }]);
    }
    const passwordHash = await deps.hasher.hash(input.newPassword);
    const now = deps.clock.now();
    const ended = await deps.uow.run(async (tx) => {
      if (!(await tx.oneTimeCodes.consume(check.code.id, now))) throw invalidReset();
      return storeNewPassword(
        tx,
        deps,
        ctx,
        {
          user,
          passwordHash,
          action: "auth.password_reset",
          revokeAs: "password_reset",
          countedAs: "sessions_revoked",
          gone: invalidReset,
        },
        now,
      );
    });
    await afterUserChange(deps, user.id, ended);
  };
}

export type ResetPassword = ReturnType<typeof makeResetPassword>;
