import { type Cache, isActive, permissionsOf, type UserAccess, type UserRepository } from "@gatehouse/domain";
import { CacheKeys, CacheTtlSeconds } from "./cache-keys.js";

export interface LoadAccessDeps {
  readonly users: Pick<UserRepository, "findWithRoles">;
  readonly cache: Cache;
}

/**
 * The roles and permissions a user holds now, read through the `permissions:{user_id}` cache
 * rather than from token claims, so a role change applies on the user's next request. Every
 * change to a user's roles, to a role's permissions, or to the user's status or deletion must
 * delete this key. `undefined` when the user no longer exists or may not hold a session.
 */
export function makeLoadAccess(deps: LoadAccessDeps) {
  return async function loadAccess(userId: string): Promise<UserAccess | undefined> {
    const key = CacheKeys.permissions(userId);
    const cached = await deps.cache.get<UserAccess>(key);
    if (cached !== undefined) return cached;
    const account = await deps.users.findWithRoles(userId);
    if (account === undefined || !isActive(account.user)) return undefined;
    const access: UserAccess = {
      roles: account.roles.map((role) => role.name).sort(),
      permissions: permissionsOf(account.roles),
    };
    await deps.cache.set(key, access, CacheTtlSeconds.permissions);
    return access;
  };
}

export type LoadAccess = ReturnType<typeof makeLoadAccess>;
