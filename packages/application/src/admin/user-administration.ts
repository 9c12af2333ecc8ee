import {
  DomainError,
  SystemRoles,
  type TransactionalRepositories,
  type User,
  type UserWithRoles,
} from "@gatehouse/domain";
import { type AdminActor, assertMayActOn, isSuperAdmin } from "../rbac/privilege.js";

export type { AdminActor };

/** Locks the target user's row (soft-deleted or not) for the rest of the unit of work; USER_NOT_FOUND when there is none. */
export async function lockTarget(tx: TransactionalRepositories, userId: string): Promise<UserWithRoles> {
  const target = await tx.users.find(userId, { includeDeleted: true, lock: true });
  if (target === undefined) throw new DomainError("USER_NOT_FOUND", "User not found");
  return target;
}

/** Soft-deleted users are changed only by restore (or purged); every other change refuses them. */
export function assertNotDeleted(target: UserWithRoles): void {
  if (target.user.deletedAt !== null) throw new DomainError("USER_ALREADY_DELETED", "User is deleted");
}

/**
 * Only a super_admin may change, suspend or delete a super_admin (README, Admin API), and
 * nobody manages a user holding a permission they lack (`assertMayActOn`).
 */
export function assertMayManage(actor: AdminActor, target: UserWithRoles): void {
  const targetIsSuperAdmin = target.roles.some((role) => role.name === SystemRoles.superAdmin);
  if (targetIsSuperAdmin && !isSuperAdmin(actor.access)) {
    throw new DomainError("SUPER_ADMIN_REQUIRED", "Only a super_admin may manage a super_admin");
  }
  assertMayActOn(actor, target);
}

/** The row a write that matched the locked row returned; gone meanwhile is USER_NOT_FOUND. */
export function written(user: User | undefined): User {
  if (user === undefined) throw new DomainError("USER_NOT_FOUND", "User not found");
  return user;
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
