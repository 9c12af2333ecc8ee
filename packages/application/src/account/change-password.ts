import {
  type Cache,
  type Clock,
  checkPassword,
  type PasswordHasher,
  type PasswordPolicy,
  type RequestContext,
  type SessionRevocations,
  type UnitOfWork,
  type UserRepository,
  validationError,
} from "@gatehouse/domain";
import { auditEntryFor } from "../shared/audit-entry-for.js";
import { userCacheKeys } from "../shared/cache-keys.js";
import { confirmPassword, stillConfirmed } from "./own-account.js";

export interface ChangePasswordInput {
  readonly userId: string;
  /** The session making the request: kept when the others are signed out. */
  readonly sessionId: string;
  readonly currentPassword: string;
  readonly newPassword: string;
  readonly signOutOtherSessions: boolean;
}

export interface ChangePasswordDeps {
  readonly users: Pick<UserRepository, "findWithRoles">;
  readonly uow: UnitOfWork;
  readonly hasher: PasswordHasher;
  readonly clock: Clock;
  readonly passwordPolicy: PasswordPolicy;
  readonly revocations: Pick<SessionRevocations, "revoke">;
  readonly cache: Pick<Cache, "delete">;
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
    const issue = checkPassword(input.newPassword, deps.passwordPolicy, "new_password");
    if (issue) throw validationError([issue]);
    const user = await confirmPassword(deps, input.userId, input.currentPassword);
    if (await deps.hasher.verify(input.newPassword, user.passwordHash)) {
      throw validationError([{ field: "new_password", message: "must differ from the current password" }]);
    }
    const passwordHash = await deps.hasher.hash(input.newPassword);

    const now = deps.clock.now();
    const ended = await deps.uow.run(async (tx) => {
      const locked = stillConfirmed(await tx.users.lockLiveById(user.id), user);
      await tx.users.setPassword(locked.id, passwordHash, now);
      const families = input.signOutOtherSessions
        ? await tx.refreshTokens.revokeAllForUser(locked.id, "password_changed", now, input.sessionId)
        : [];
      await tx.outbox.enqueue({ to: locked.email, template: "password-changed", data: { username: locked.username } });
      await tx.auditLog.append(
        auditEntryFor(deps.clock, ctx, {
          action: "user.password_changed",
          userId: locked.id,
          details: { other_sessions_ended: families.length },
        }),
      );
      return families;
    });
    // The cached profile carries updated_at and password_changed_at.
    await Promise.all([deps.revocations.revoke(ended), deps.cache.delete(userCacheKeys(user.id))]);
    return { otherSessionsEnded: ended.length };
  };
}

export type ChangePassword = ReturnType<typeof makeChangePassword>;
