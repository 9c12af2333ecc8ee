import {
  type AccountStatus,
  assertTransition,
  type Clock,
  checkEmail,
  checkUsername,
  type FieldIssue,
  normalizeEmail,
  type RequestContext,
  type UnitOfWork,
  type User,
  type UserPatch,
  validationError,
} from "@gatehouse/domain";
import { auditEntryFor } from "../shared/audit-entry-for.js";
import { type ProfileFields, profileFieldIssues, trimmedOrNull } from "../shared/profile-fields.js";
import {
  type AdminActor,
  type AfterChangeDeps,
  applyAfterCommit,
  assertMayManage,
  assertNotDeleted,
  auditingRefusals,
  changesBetween,
  lockTarget,
} from "./user-administration.js";

/** The only fields an administrator may update (PUT /admin/users/{id}); absent fields stay. */
export interface UserUpdate extends ProfileFields {
  readonly username?: string;
  readonly email?: string;
  readonly isActive?: boolean;
}

export interface UpdateUserDeps extends AfterChangeDeps {
  readonly uow: UnitOfWork;
  readonly clock: Clock;
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

function patchOf(update: UserUpdate, status: AccountStatus | undefined, now: Date): UserPatch {
  const entries = Object.entries({
    username: update.username,
    email: update.email === undefined ? undefined : normalizeEmail(update.email),
    fullName: trimmedOrNull(update.fullName),
    phoneNumber: trimmedOrNull(update.phoneNumber),
    organization: trimmedOrNull(update.organization),
    department: trimmedOrNull(update.department),
    ...(status === undefined ? {} : { status, statusReason: null, statusChangedAt: now }),
  });
  return Object.fromEntries(entries.filter(([, value]) => value !== undefined)) as UserPatch;
}

/**
 * An administrator's update of a live user. The input type is the allow-list: the HTTP layer
 * refuses any other field, so nothing like `password_hash` or `roles` can ride along.
 * Deactivation ends every session; the audit entry records `{ field: { old, new } }` for each
 * changed field, and an update that changes nothing writes nothing.
 */
export function makeUpdateUser(deps: UpdateUserDeps) {
  async function updateUser(actor: AdminActor, userId: string, update: UserUpdate, ctx: RequestContext): Promise<User> {
    const issues = issuesOf(update);
    if (issues.length > 0) throw validationError(issues);
    const now = deps.clock.now();
    const { user, endedSessions } = await deps.uow.run(async (tx) => {
      const target = await lockTarget(tx, userId);
      assertNotDeleted(target);
      assertMayManage(actor, target);
      const status = statusFor(target.user.status, update.isActive);
      const patch = patchOf(update, status, now);
      const changes = changesBetween(target.user, { ...target.user, ...patch }, AUDITED_FIELDS);
      if (Object.keys(changes).length === 0) return { user: target.user, endedSessions: [] };
      const user = await tx.users.update(userId, patch);
      const endedSessions =
        status === "deactivated" ? await tx.refreshTokens.revokeAllForUser(userId, "admin", now) : [];
      await tx.auditLog.append(
        auditEntryFor(deps.clock, ctx, {
          action: status === "deactivated" ? "user.deactivate" : "user.update",
          userId: actor.id,
          resourceId: userId,
          details: { changes },
        }),
      );
      return { user, endedSessions };
    });
    await applyAfterCommit(deps, userId, endedSessions);
    return user;
  }
  return (actor: AdminActor, userId: string, update: UserUpdate, ctx: RequestContext) =>
    auditingRefusals(deps, ctx, { action: "user.update", actor, userId }, () => updateUser(actor, userId, update, ctx));
}

export type UpdateUser = ReturnType<typeof makeUpdateUser>;
