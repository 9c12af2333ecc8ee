import { DomainError, type RoleGrant, sessionBlockedError } from "@gatehouse/domain";
import { cacheAccount, type LoadAccessDeps } from "../auth/load-access.js";
import { CacheKeys, readCached } from "../shared/cache-keys.js";
import { profileOf, readCachedProfile, type UserProfile } from "./user-profile-cache.js";

export type GetCurrentUserDeps = LoadAccessDeps;

export interface CurrentUser {
  readonly user: UserProfile;
  readonly roles: readonly RoleGrant[];
}

function usable(account: CurrentUser | undefined): CurrentUser {
  if (account === undefined || account.user.deletedAt !== null) {
    throw new DomainError("UNAUTHORIZED", "Account no longer exists");
  }
  const blocked = sessionBlockedError(account.user.status);
  if (blocked) throw blocked;
  return account;
}

/**
 * The signed-in user's profile with roles and permissions, through the `user:{id}` and
 * `permissions:{id}` caches (read together: one round trip to a shared cache), so every
 * change that invalidates them shows on the next call.
 */
export function makeGetCurrentUser(deps: GetCurrentUserDeps) {
  return async function getCurrentUser(userId: string): Promise<CurrentUser> {
    const [user, roles] = await Promise.all([
      readCachedProfile(deps.cache, userId),
      readCached<RoleGrant[]>(deps.cache, "permissions", CacheKeys.permissions(userId)),
    ]);
    if (user !== undefined && roles !== undefined) return usable({ user, roles });
    const account = await deps.users.find(userId);
    if (account === undefined) return usable(undefined);
    await cacheAccount(deps.cache, account);
    return usable({ user: profileOf(account.user), roles: account.roles });
  };
}

export type GetCurrentUser = ReturnType<typeof makeGetCurrentUser>;
