import {
  type AuditAction,
  type Cache,
  type Clock,
  DomainError,
  type ErrorCode,
  hasPermission,
  isDomainError,
  type RequestContext,
  type SessionRevocations,
  SystemRoles,
  type TransactionalRepositories,
  type UnitOfWork,
  type UserAccess,
  type UserWithRoles,
} from "@gatehouse/domain";
import type { AdminActor } from "../rbac/privilege-guard.js";
import { auditEntryFor } from "../shared/audit-entry-for.js";
import { userCacheKeys } from "../shared/cache-keys.js";

export type { AdminActor };

/** The administrator making a change: their id and what they hold now (from the permission hook). */

/** What every administrative change to a user needs after its transaction commits. */
export interface AfterChangeDeps {
  readonly cache: Pick<Cache, "delete">;
  readonly revocations: Pick<SessionRevocations, "revoke">;
}

export function isSuperAdmin(access: UserAccess): boolean {
  return access.roles.includes(SystemRoles.superAdmin);
}

/** Locks the target user's row for the rest of the unit of work; USER_NOT_FOUND when there is none. */
export async function lockTarget(tx: TransactionalRepositories, userId: string): Promise<UserWithRoles> {
  const target = await tx.users.lockById(userId);
  if (target === undefined) throw new DomainError("USER_NOT_FOUND", "User not found");
  return target;
}

/** Soft-deleted users are changed only by restore (or purged); every other change refuses them. */
export function assertNotDeleted(target: UserWithRoles): void {
  if (target.user.deletedAt !== null) throw new DomainError("USER_ALREADY_DELETED", "User is deleted");
}

/** Only a super_admin may change, suspend or delete a super_admin (PRD §4.9.1). */
export function assertMayManage(actor: AdminActor, target: UserWithRoles): void {
  const targetIsSuperAdmin = target.roles.some((role) => role.name === SystemRoles.superAdmin);
  if (targetIsSuperAdmin && !isSuperAdmin(actor.access)) {
    throw new DomainError("SUPER_ADMIN_REQUIRED", "Only a super_admin may manage a super_admin");
  }
}

/** Nobody grants more than they hold: super_admin only by a super_admin, and no permission the actor lacks. */
export function assertMayGrant(actor: AdminActor, roles: UserWithRoles["roles"]): void {
  if (roles.some((role) => role.name === SystemRoles.superAdmin) && !isSuperAdmin(actor.access)) {
    throw new DomainError("SUPER_ADMIN_REQUIRED", "Only a super_admin may grant super_admin");
  }
  const lacking = [...new Set(roles.flatMap((role) => role.permissions))].filter(
    (permission) => !hasPermission(actor.access, permission),
  );
  if (lacking.length > 0) {
    throw new DomainError("INSUFFICIENT_PERMISSIONS", "You cannot grant a permission you do not hold", {
      lacking_permissions: lacking.sort(),
    });
  }
}

const snakeCase = (field: string) => field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** `{ field: { old, new } }` (API field names) for the fields whose value differs; dates as ISO strings. */
export function changesBetween<T extends object>(before: T, after: T, fields: readonly (keyof T & string)[]) {
  const plain = (value: unknown) => (value instanceof Date ? value.toISOString() : (value ?? null));
  const changes: Record<string, { old: unknown; new: unknown }> = {};
  for (const field of fields) {
    const old = plain(before[field]);
    const next = plain(after[field]);
    if (old !== next) changes[snakeCase(field)] = { old, new: next };
  }
  return changes;
}

/**
 * After the transaction committed: refuses the ended sessions' access tokens from the next
 * request on, and drops the cached permissions and profile so the next request reads the
 * change (ASVS 8.3.2).
 */
export async function applyAfterCommit(deps: AfterChangeDeps, userId: string, endedSessions: readonly string[]) {
  if (endedSessions.length > 0) await deps.revocations.revoke(endedSessions);
  await deps.cache.delete(userCacheKeys(userId));
}

/** Refusals an administrator wants to see in the trail (attempts to reach above one's rank). */
const AUDITED_REFUSALS: ReadonlySet<ErrorCode> = new Set([
  "SUPER_ADMIN_REQUIRED",
  "CANNOT_DELETE_SELF",
  "INSUFFICIENT_PERMISSIONS",
]);

/**
 * Runs an administrative change; when it is refused for the caller's rank, records the attempt
 * as a `failure` entry in a unit of work of its own (the refused one rolled back), then rethrows.
 */
export async function auditingRefusals<T>(
  deps: { readonly uow: UnitOfWork; readonly clock: Clock },
  ctx: RequestContext,
  attempt: { readonly action: AuditAction; readonly actor: AdminActor; readonly userId: string | null },
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isDomainError(error) && AUDITED_REFUSALS.has(error.code)) {
      const entry = auditEntryFor(deps.clock, ctx, {
        action: attempt.action,
        userId: attempt.actor.id,
        resourceId: attempt.userId,
        status: "failure",
        details: { code: error.code },
      });
      await deps.uow.run((tx) => tx.auditLog.append(entry));
    }
    throw error;
  }
}
