import type { Cache, User } from "@gatehouse/domain";
import { CacheKeys, readCached, writeCached } from "../shared/cache-keys.js";

/** A user as cached under `user:{id}`: never the password hash. */
export type UserProfile = Omit<User, "passwordHash">;

/** The profile as JSON keeps it: dates become ISO strings. */
type Stored = {
  readonly [K in keyof UserProfile]: UserProfile[K] extends Date
    ? string
    : UserProfile[K] extends Date | null
      ? string | null
      : UserProfile[K];
};

const dateOrNull = (value: string | null) => (value === null ? null : new Date(value));

export function profileOf(user: User): UserProfile {
  const { passwordHash: _secret, ...profile } = user;
  return profile;
}

export function cacheProfile(cache: Cache, user: User): Promise<void> {
  return writeCached(cache, "user", CacheKeys.user(user.id), profileOf(user));
}

/** The cached profile with its dates restored. */
export async function readCachedProfile(cache: Cache, userId: string): Promise<UserProfile | undefined> {
  const stored = await readCached<Stored>(cache, "user", CacheKeys.user(userId));
  if (stored === undefined) return undefined;
  return {
    ...stored,
    statusChangedAt: new Date(stored.statusChangedAt),
    emailVerifiedAt: dateOrNull(stored.emailVerifiedAt),
    passwordChangedAt: new Date(stored.passwordChangedAt),
    createdAt: new Date(stored.createdAt),
    updatedAt: new Date(stored.updatedAt),
    deletedAt: dateOrNull(stored.deletedAt),
    purgedAt: dateOrNull(stored.purgedAt),
  };
}
