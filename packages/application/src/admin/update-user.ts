import {
  type AccountStatus,
  assertTransition,
  checkEmail,
  checkUsername,
  type FieldIssue,
  normalizeEmail,
  type RequestContext,
  type User,
  type UserChanges,
  validationError,
} from "@gatehouse/domain";
import { type ProfileFields, profileFieldIssues, trimmedOrNull } from "../shared/profile-fields.js";
import { type AdminActor, changesBetween } from "./user-administration.js";
import { type AdminChangeDeps, runAdminChange } from "./user-change.js";

/** The only fields an administrator may update (PUT /admin/users/{id}); absent fields stay. */
export interface UserUpdate extends ProfileFields {
  readonly username?: string;
  readonly email?: string;
  readonly isActive?: boolean;
}

export type UpdateUserDeps = AdminChangeDeps;

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
function changesOf(update: UserUpdate, target: User, now: Date): UserChanges | undefined {
  const status = statusFor(target.status, update.isActive);
  const entries = Object.entries({
    username: update.username,
    email: update.email === undefined ? undefined : normalizeEmail(update.email),
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
 */
export function makeUpdateUser(deps: UpdateUserDeps) {
  return (actor: AdminActor, userId: string, update: UserUpdate, ctx: RequestContext): Promise<User> =>
    runAdminChange(
      deps,
      {
        action: "user.update",
        precheck() {
          const issues = issuesOf(update);
          if (issues.length > 0) throw validationError(issues);
        },
        changes: (target, now) => changesOf(update, target, now),
        endsSessions: deactivates,
        auditedAs: (before, after) => (deactivates(before, after) ? "user.deactivate" : "user.update"),
        details: (previous, after) => ({ changes: changesBetween(previous, after, AUDITED_FIELDS) }),
      },
      actor,
      userId,
      ctx,
    );
}

export type UpdateUser = ReturnType<typeof makeUpdateUser>;
