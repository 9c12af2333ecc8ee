import type { Cache } from "@gatehouse/domain";

/**
 * Cache keys and lifetimes (README, caching), in one place for every use case.
 *
 * Invalidation triggers (delete the key in the same use case, after the commit):
 * - `user:{id}` (profile): any change to the user's row (profile, status, deletion, password);
 *   every such write ends with `afterUserChange` (shared/after-user-change.ts), which drops it.
 * - `permissions:{id}` (role grants): the user's role assignments, the permissions of any role
 *   they hold (delete it for every holder), and the user's status or deletion.
 * - `roles:all`, `permissions:all`: role and permission CRUD.
 * `userCacheKeys(id)` lists every key derived from one user.
 */
export const CacheKeys = {
  permissions: (userId: string) => `permissions:${userId}`,
  user: (userId: string) => `user:${userId}`,
  session: (userId: string) => `session:${userId}`,
  rolesAll: "roles:all",
  permissionsAll: "permissions:all",
} as const;

export const CacheTtlSeconds = {
  permissions: 15 * 60,
  user: 5 * 60,
  session: 15 * 60,
  rolesAll: 10 * 60,
  permissionsAll: 30 * 60,
} as const;

/**
 * The shape version of each kind of cached value. Bump it when the shape changes: an entry
 * written with another version reads as a miss, so during a rolling deploy old and new nodes
 * never decode each other's values, while both still invalidate the same key.
 */
export const CacheShapeVersions = {
  permissions: 2,
  // 2: the profile carries purgedAt.
  user: 2,
  session: 1,
  rolesAll: 1,
  permissionsAll: 1,
} as const satisfies Record<keyof typeof CacheTtlSeconds, number>;

export type CacheKind = keyof typeof CacheShapeVersions;

interface Versioned {
  readonly v: number;
  readonly value: unknown;
}

/** The value under `key` when it was written with `kind`'s current shape version. */
export async function readCached<T>(cache: Cache, kind: CacheKind, key: string): Promise<T | undefined> {
  const entry = await cache.get<Versioned>(key);
  return entry?.v === CacheShapeVersions[kind] ? (entry.value as T) : undefined;
}

/** Stores `value` with `kind`'s shape version and lifetime. */
export function writeCached(cache: Cache, kind: CacheKind, key: string, value: unknown): Promise<void> {
  return cache.set(key, { v: CacheShapeVersions[kind], value } satisfies Versioned, CacheTtlSeconds[kind]);
}

/** Every cache key holding data derived from one user: delete them all when the user changes. */
export function userCacheKeys(userId: string): string[] {
  return [CacheKeys.user(userId), CacheKeys.permissions(userId), CacheKeys.session(userId)];
}
