import {
  DomainError,
  type PasswordHasher,
  type PasswordPolicy,
  type RequestContext,
  type User,
  UserChanges,
  type UserRepository,
  validationError,
} from "@gatehouse/domain";
import { checkNewPassword } from "../shared/new-password.js";
import type { AdminActor } from "./user-administration.js";
import { type AdminChangeDeps, runAdminChange } from "./user-change.js";

export interface SetUserPasswordDeps extends AdminChangeDeps {
  /** The live user, for the context words of the password policy (email, username). */
  readonly users: Pick<UserRepository, "find">;
  readonly hasher: Pick<PasswordHasher, "hash">;
  readonly passwordPolicy: PasswordPolicy;
}

/**
 * An administrator sets a user's password (`gatehouse users reset-password`: an operator helping
 * someone who cannot receive the reset mail). Same policy as every other new password; every
 * session of the user ends, as after a reset by mail, and only someone who may manage the user
 * may do it (a reset is a takeover otherwise). Audited as `user.password_set`, never the password.
 */
export function makeSetUserPassword(deps: SetUserPasswordDeps) {
  return async (actor: AdminActor, userId: string, password: string, ctx: RequestContext): Promise<User> => {
    const current = await deps.users.find(userId);
    if (current === undefined) throw new DomainError("USER_NOT_FOUND", "User not found");
    const { email, username } = current.user;
    const issue = await checkNewPassword(password, deps.passwordPolicy, { email, username });
    if (issue !== undefined) throw validationError([issue]);
    // Hashed before the row lock: argon2 takes long and the lock must be short.
    const passwordHash = await deps.hasher.hash(password);
    return runAdminChange(
      deps,
      {
        action: "user.password_set",
        changes: (_target, now) => UserChanges.password(passwordHash, now),
        endsSessions: () => true,
        details: (_before, _after, sessionsRevoked) => ({ sessions_revoked: sessionsRevoked }),
      },
      actor,
      userId,
      ctx,
    );
  };
}

export type SetUserPassword = ReturnType<typeof makeSetUserPassword>;
