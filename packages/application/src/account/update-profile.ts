import {
  type Clock,
  checkEmail,
  checkUsername,
  DomainError,
  type FieldIssue,
  normalizeEmail,
  type OneTimeSecrets,
  type RequestContext,
  sessionBlockedError,
  type UnitOfWork,
  type UserChanges,
  type UserRepository,
  type UserWithRoles,
  validationError,
} from "@gatehouse/domain";
import type { PasswordProofDeps } from "../auth/check-credentials.js";
import { type AfterUserChangeDeps, afterUserChange } from "../shared/after-user-change.js";
import { audit } from "../shared/audit-entry-for.js";
import { mailEmailChange } from "../shared/email-change-mail.js";
import type { LifecyclePolicy } from "../shared/lifecycle-policy.js";
import { profileFieldIssues } from "../shared/profile-fields.js";
import { proveOwnPassword } from "./own-account.js";

export interface UpdateProfileInput {
  readonly username?: string;
  readonly fullName?: string | null;
  readonly phoneNumber?: string | null;
  readonly email?: string;
  readonly currentPassword?: string;
}

export interface ProfileUpdate {
  readonly account: UserWithRoles;
  /** The new address waiting for its code, when the email is being changed. */
  readonly pendingEmail: string | null;
}

export interface UpdateProfileDeps extends AfterUserChangeDeps, PasswordProofDeps {
  readonly users: Pick<UserRepository, "find">;
  readonly uow: UnitOfWork;
  readonly clock: Clock;
  readonly secrets: OneTimeSecrets;
  readonly policy: Pick<
    LifecyclePolicy,
    "verificationTtlHours" | "publicBaseUrl" | "resendLimits" | "enumerationProtection"
  >;
}

function profileChanges(input: UpdateProfileInput): UserChanges {
  return {
    ...(input.username === undefined ? {} : { username: input.username }),
    ...(input.fullName === undefined ? {} : { fullName: input.fullName?.trim() ?? null }),
    ...(input.phoneNumber === undefined ? {} : { phoneNumber: input.phoneNumber?.trim() ?? null }),
  };
}

/**
 * PUT /users/me. Name, phone and username change at once (a taken username is 409). A new email
 * needs the current password; it only becomes the login email once the code mailed to it is
 * confirmed, and the old address is told about the request.
 */
export function makeUpdateProfile(deps: UpdateProfileDeps) {
  return async function updateProfile(
    userId: string,
    input: UpdateProfileInput,
    ctx: RequestContext,
  ): Promise<ProfileUpdate> {
    const newEmail = input.email === undefined ? undefined : normalizeEmail(input.email);
    const issues = [
      input.username === undefined ? undefined : checkUsername(input.username),
      newEmail === undefined ? undefined : checkEmail(newEmail),
      ...profileFieldIssues({ fullName: input.fullName, phoneNumber: input.phoneNumber }),
    ].filter((issue): issue is FieldIssue => issue !== undefined);
    if (issues.length > 0) throw validationError(issues);

    const current = await deps.users.find(userId);
    if (current === undefined) throw new DomainError("UNAUTHORIZED", "Account no longer exists");
    const { user } = current;
    const blocked = sessionBlockedError(user.status);
    if (blocked) throw blocked;
    const emailChange = newEmail !== undefined && newEmail !== user.email ? newEmail : undefined;
    if (emailChange !== undefined) {
      if (input.currentPassword === undefined) {
        throw validationError([{ field: "current_password", message: "is required to change the email" }]);
      }
      await proveOwnPassword(deps, user, input.currentPassword, ctx, "Current password is incorrect");
    }
    const changes = profileChanges(input);
    const update = await deps.uow.run(async (tx) => {
      const now = deps.clock.now();
      const updated =
        Object.keys(changes).length > 0 ? await tx.users.update(userId, changes, now, { deleted: false }) : user;
      if (updated === undefined) throw new DomainError("UNAUTHORIZED", "Account no longer exists");
      if (emailChange !== undefined) {
        const holder = await tx.users.findByEmail(emailChange);
        // With protection a taken address answers like a free one (only its code mail is missing),
        // so a session cannot probe which addresses have accounts.
        if (holder !== undefined && !deps.policy.enumerationProtection) {
          throw new DomainError("DUPLICATE_EMAIL", "Email is already registered");
        }
        await mailEmailChange(tx, deps, {
          userId,
          username: updated.username,
          oldEmail: user.email,
          newEmail: emailChange,
          newAddressTaken: holder !== undefined,
        });
        await audit(tx, deps, ctx, { action: "user.email_change_requested", userId });
      }
      if (Object.keys(changes).length > 0) {
        await audit(tx, deps, ctx, {
          action: "user.profile_updated",
          userId,
          details: { fields: Object.keys(changes) },
        });
      }
      return { account: { user: updated, roles: current.roles }, pendingEmail: emailChange ?? null };
    });
    await afterUserChange(deps, userId);
    return update;
  };
}

export type UpdateProfile = ReturnType<typeof makeUpdateProfile>;
