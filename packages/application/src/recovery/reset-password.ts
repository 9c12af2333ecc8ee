import {
  type Clock,
  checkPassword,
  DomainError,
  type PasswordHasher,
  type PasswordPolicy,
  type RequestContext,
  type SessionRevocations,
  type UnitOfWork,
  type UserRepository,
  validationError,
} from "@gatehouse/domain";
import { auditEntryFor, recordFailure } from "../shared/audit-entry-for.js";
import { type CodeCheckDeps, checkPresentedCode, locateCodeOwner } from "../shared/one-time-codes.js";

export type ResetPasswordInput = ({ readonly token: string } | { readonly email: string; readonly code: string }) & {
  readonly newPassword: string;
};

export interface ResetPasswordDeps extends CodeCheckDeps {
  readonly users: Pick<UserRepository, "findByEmail" | "findWithRoles">;
  readonly uow: UnitOfWork;
  readonly hasher: PasswordHasher;
  readonly revocations: SessionRevocations;
  readonly clock: Clock;
  readonly passwordPolicy: PasswordPolicy;
}

const invalidReset = (details?: unknown) =>
  new DomainError("INVALID_RESET_TOKEN", "Invalid, used or expired password reset code", details);

/**
 * Account recovery, step two: a valid reset code or link sets a new password (policy applies,
 * the current password is refused), revokes every session (their access tokens fail on the next
 * request), queues a "password changed" mail and audits it, all in one transaction. It does not
 * log the user in.
 */
export function makeResetPassword(deps: ResetPasswordDeps) {
  return async function resetPassword(input: ResetPasswordInput, ctx: RequestContext): Promise<void> {
    const issue = checkPassword(input.newPassword, deps.passwordPolicy, "new_password");
    if (issue) throw validationError([issue]);
    const { user, presented } = await locateCodeOwner(deps, input);
    if (user === undefined) throw invalidReset();
    const check = await checkPresentedCode(deps, "reset_password", presented);
    if (check.outcome !== "match") {
      await recordFailure(deps, ctx, { action: "auth.password_reset_failed", userId: user.id, reason: check.outcome });
      throw invalidReset(
        check.outcome === "burned" ? { reason: "attempts_exhausted", hint: "request a new code" } : undefined,
      );
    }
    if (await deps.hasher.verify(input.newPassword, user.passwordHash)) {
      throw validationError([{ field: "new_password", message: "must differ from the current password" }]);
    }
    const passwordHash = await deps.hasher.hash(input.newPassword);
    const now = deps.clock.now();
    const sessions = await deps.uow.run(async (tx) => {
      if (!(await tx.oneTimeCodes.consume(check.code.id, now))) throw invalidReset();
      if ((await tx.users.setPassword(user.id, passwordHash, now)) === undefined) throw invalidReset();
      const revoked = await tx.refreshTokens.revokeAllForUser(user.id, "password_reset", now);
      await tx.outbox.enqueue({ to: user.email, template: "password-changed", data: { username: user.username } });
      await tx.auditLog.append(
        auditEntryFor(deps.clock, ctx, {
          action: "auth.password_reset",
          userId: user.id,
          details: { sessions_revoked: revoked.length },
        }),
      );
      return revoked;
    });
    await deps.revocations.revoke(sessions);
  };
}

export type ResetPassword = ReturnType<typeof makeResetPassword>;
