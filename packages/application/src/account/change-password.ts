import {
  type Clock,
  type PasswordHasher,
  type PasswordPolicy,
  type RequestContext,
  type UnitOfWork,
  type UserRepository,
  validationError,
} from "@gatehouse/domain";
import type { PasswordProofDeps } from "../auth/check-credentials.js";
import { type AfterUserChangeDeps, afterUserChange } from "../shared/after-user-change.js";
import { checkNewPassword, storeNewPassword } from "../shared/new-password.js";
import { accountGone, confirmPassword, stillConfirmed } from "./own-account.js";

export interface ChangePasswordInput {
  readonly userId: string;
  /** The session making the request: kept when the others are signed out. */
  readonly sessionId: string;
  readonly currentPassword: string;
  readonly newPassword: string;
  readonly signOutOtherSessions: boolean;
}

export interface ChangePasswordDeps extends AfterUserChangeDeps, PasswordProofDeps {
  readonly users: Pick<UserRepository, "find">;
  readonly uow: UnitOfWork;
  readonly hasher: PasswordHasher;
  readonly clock: Clock;
  readonly passwordPolicy: PasswordPolicy;
}

/**
 * PATCH /users/me/password. The current password must be proven (401 INVALID_CREDENTIALS);
 * the new one must meet the policy and differ from it. In one transaction: the hash changes,
 * the other sessions end (unless the caller opts out; the current one stays), a "password
 * changed" mail is queued and the audit row written.
 */
export function makeChangePassword(deps: ChangePasswordDeps) {
  return async function changePassword(
    input: ChangePasswordInput,
    ctx: RequestContext,
  ): Promise<{ otherSessionsEnded: number }> {
    const user = await confirmPassword(deps, input.userId, input.currentPassword, ctx);
    const issue = await checkNewPassword(input.newPassword, deps.passwordPolicy, user, "new_password");
    if (issue) throw validationError([issue]);
    if (await deps.hasher.verify(input.newPassword, user.passwordHash)) {
      throw validationError([{ field: "new_password", message: "must differ from the current password" }]);
    }
    const passwordHash = await deps.hasher.hash(input.newPassword);

    const now = deps.clock.now();
    const ended = await deps.uow.run(async (tx) => {
      const locked = stillConfirmed((await tx.users.find(user.id, { lock: true }))?.user, user);
      return storeNewPassword(
        tx,
        deps,
        ctx,
        {
          user: locked,
          passwordHash,
          action: "user.password_changed",
          revokeAs: input.signOutOtherSessions ? "password_changed" : undefined,
          keepFamilyId: input.sessionId,
          countedAs: "other_sessions_ended",
          gone: accountGone,
        },
        now,
      );
    });
    await afterUserChange(deps, user.id, ended);
    return { otherSessionsEnded: ended.length };
  };
}

export type ChangePassword = ReturnType<typeof makeChangePassword>;
