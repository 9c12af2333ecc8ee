import {
  type AccountStatus,
  assertTransition,
  checkEmail,
  checkUsername,
  DomainError,
  type FieldIssue,
  hasPermission,
  normalizeEmail,
  type RequestContext,
  type User,
  type UserChanges,
  validationError,
} from "@gatehouse/domain";
import { type EmailChangeMailDeps, mailEmailChange } from "../shared/email-change-mail.js";
import { type ProfileFields, profileFieldIssues, trimmedOrNull } from "../shared/profile-fields.js";
import { type AdminActor, changesBetween } from "./user-administration.js";
import { type AdminChangeDeps, runAdminChange } from "./user-change.js";

/** The only fields an administrator may update (PUT /admin/users/{id}); absent fields stay. */
export interface UserUpdate extends ProfileFields {
  readonly username?: string;
  readonly email?: string;
  readonly isActive?: boolean;
}

export interface UpdateUserDeps extends AdminChangeDeps, EmailChangeMailDeps {}

/**
 * Lets an administrator set a user's sign-in email without the new address being proven.
 * Dangerous: whoever reads the new mailbox can then reset the password, so only super_admin holds it.
 */
export const WRITE_EMAIL_PERMISSION = "users:write_email";

/** What an update did: the row as written, and the address waiting for its code, if any. */
export interface AdminUserUpdate {
  readonly user: User;
  /** The new email mailed a code; the sign-in email changes once the user confirms it. */
  readonly pendingEmail: string | null;
}

const AUDITED_FIELDS = [
  "username",
  "email",
  "fullName",
  "phoneNumber",
  "organization",
  "department",
  "status",
] as const satisfies readonly (keyof User)[];

function issuesOf(update: UserUpdate): FieldIssue[] {
  return [
    update.username === undefined ? undefined : checkUsername(update.username),
    update.email === undefined ? undefined : checkEmail(normalizeEmail(update.email)),
    ...profileFieldIssues(update),
  ].filter((issue): issue is FieldIssue => issue !== undefined);
}

/** `is_active` as a lifecycle step: false deactivates an active user, true reactivates (state machine). */
function statusFor(current: AccountStatus, isActive: boolean | undefined): AccountStatus | undefined {
  if (isActive === undefined) return undefined;
  const wanted: AccountStatus = isActive ? "active" : "deactivated";
  if (isActive === (current === "active")) return undefined;
  assertTransition(current, wanted);
  return wanted;
}

/** The changes of `update` to `target`; undefined when no audited field would change. */
function changesOf(update: UserUpdate, target: User, now: Date, setsEmail: boolean): UserChanges | undefined {
  const status = statusFor(target.status, update.isActive);
  const entries = Object.entries({
    username: update.username,
    email: update.email === undefined || !setsEmail ? undefined : normalizeEmail(update.email),
    fullName: trimmedOrNull(update.fullName),
    phoneNumber: trimmedOrNull(update.phoneNumber),
    organization: trimmedOrNull(update.organization),
    department: trimmedOrNull(update.department),
    ...(status === undefined ? {} : { status, statusReason: null, statusChangedAt: now }),
  });
  const changes = Object.fromEntries(entries.filter(([, value]) => value !== undefined)) as UserChanges;
  const changed = changesBetween(target, { ...target, ...changes }, AUDITED_FIELDS);
  return Object.keys(changed).length === 0 ? undefined : changes;
}

const deactivates = (before: User, after: User) => before.status !== "deactivated" && after.status === "deactivated";

/**
 * An administrator's update of a live user. The input type is the allow-list: the HTTP layer
 * refuses any other field, so nothing like `password_hash` or `roles` can ride along.
 * Deactivation ends every session; the audit entry records `{ field: { old, new } }` for each
 * changed field, and an update that changes nothing writes nothing.
 *
 * A new email becomes the sign-in email at once only for an actor holding `users:write_email`.
 * For anyone else it is a pending email change like the user's own: a code to the new address,
 * a notice to the old one, and the sign-in email stays until the user confirms the code from
 * their own session, else an admin could set an address they read and reset the password.
 */
export function makeUpdateUser(deps: UpdateUserDeps) {
  return async (
    actor: AdminActor,
    userId: string,
    update: UserUpdate,
    ctx: RequestContext,
  ): Promise<AdminUserUpdate> => {
    const setsEmail = hasPermission(actor.access, WRITE_EMAIL_PERMISSION);
    const newEmail = update.email === undefined ? undefined : normalizeEmail(update.email);
    let pendingEmail: string | null = null;
    const user = await runAdminChange(
      deps,
      {
        action: "user.update",
        precheck() {
          const issues = issuesOf(update);
          if (issues.length > 0) throw validationError(issues);
        },
        changes: (target, now) => changesOf(update, target, now, setsEmail),
        async alongside(tx, target) {
          if (setsEmail || newEmail === undefined || newEmail === target.email) return undefined;
          // An administrator may learn which addresses are taken (they list users), so a taken
          // address is the same 409 as when the email is set at once.
          const holder = await tx.users.findByEmail(newEmail);
          if (holder !== undefined) throw new DomainError("DUPLICATE_EMAIL", "Email is already registered");
          await mailEmailChange(tx, deps, {
            userId,
            username: update.username ?? target.username,
            oldEmail: target.email,
            newEmail,
            newAddressTaken: false,
          });
          pendingEmail = newEmail;
          return { pending_email: newEmail };
        },
        endsSessions: deactivates,
        auditedAs: (before, after) => (deactivates(before, after) ? "user.deactivate" : "user.update"),
        details: (previous, after) => ({ changes: changesBetween(previous, after, AUDITED_FIELDS) }),
      },
      actor,
      userId,
      ctx,
    );
    return { user, pendingEmail };
  };
}

export type UpdateUser = ReturnType<typeof makeUpdateUser>;
