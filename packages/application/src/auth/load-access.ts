import {
  type Cache,
  isActive,
  permissionsOf,
  type RoleGrant,
  type UserAccess,
  type UserRepository,
  type UserWithRoles,
} from "@gatehouse/domain";
import { cacheProfile, readCachedProfile } from "../account/user-profile-cache.js";
import { CacheKeys, readCached, writeCached } from "../shared/cache-keys.js";

export interface LoadAccessDeps {
  readonly users: Pick<UserRepository, "find">;
  readonly cache: Cache;
}

/** Fills both per-user entries from one database read. */
export async function cacheAccount(cache: Cache, account: UserWithRoles): Promise<void> {
  const writes = [cacheProfile(cache, account.user)];
  // Grants are cached for active users only, so a blocked user always goes to the store.
  if (isActive(account.user))
    writes.push(writeCached(cache, "permissions", CacheKeys.permissions(account.user.id), account.roles));
  await Promise.all(writes);
}

/** The role grants of an active user, through the `permissions:{user_id}` cache. */
export async function loadGrants(deps: LoadAccessDeps, userId: string): Promise<readonly RoleGrant[] | undefined> {
  const cached = await readCached<RoleGrant[]>(deps.cache, "permissions", CacheKeys.permissions(userId));
  if (cached !== undefined) return cached;
  const account = await deps.users.find(userId);
  if (account === undefined) return undefined;
  await cacheAccount(deps.cache, account);
  return isActive(account.user) ? account.roles : undefined;
}

/**
 * The user's Keycloak account id for the `keycloak_id` claim, through the `user:{id}` cache
 * (`loadGrants` just filled it on a miss); a profile cached before the column existed has none.
 */
export async function loadKeycloakId(deps: LoadAccessDeps, userId: string): Promise<string | null> {
  const cached = await readCachedProfile(deps.cache, userId);
  if (cached !== undefined && cached.keycloakId !== undefined) return cached.keycloakId;
  return (await deps.users.find(userId))?.user.keycloakId ?? null;
}

/**
 * The roles and permissions a user holds now, read through the `permissions:{user_id}` cache
 * rather than from token claims, so a role change applies on the user's next request. Every
 * change to a user's roles, to a role's permissions, or to the user's status or deletion must
 * delete this key. `undefined` when the user no longer exists or may not hold a session.
 */
export function makeLoadAccess(deps: LoadAccessDeps) {
  return async function loadAccess(userId: string): Promise<UserAccess | undefined> {
    const grants = await loadGrants(deps, userId);
    if (grants === undefined) return undefined;
    return { roles: grants.map((role) => role.name).sort(), permissions: permissionsOf(grants) };
  };
}

export type LoadAccess = ReturnType<typeof makeLoadAccess>;
