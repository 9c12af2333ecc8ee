import type { Cache, RoleRepository } from "@gatehouse/domain";
import { CacheKeys } from "../shared/cache-keys.js";

/** Keys per `Cache.delete` call and holder ids per database page: bounds memory and request size. */
export const INVALIDATION_BATCH = 500;

export interface AccessInvalidationDeps {
  readonly roles: Pick<RoleRepository, "holders">;
  readonly cache: Pick<Cache, "delete">;
}

/**
 * Drops cached `permissions:{user_id}` entries after a role or permission change commits, so
 * the change applies on each affected user's next request. Runs after the commit: deleting
 * earlier would let a concurrent request re-cache the old permissions before the commit.
 */
export function makeAccessInvalidation(deps: AccessInvalidationDeps) {
  async function users(userIds: readonly string[]): Promise<void> {
    for (let start = 0; start < userIds.length; start += INVALIDATION_BATCH) {
      await deps.cache.delete(userIds.slice(start, start + INVALIDATION_BATCH).map(CacheKeys.permissions));
    }
  }

  /**
   * Every holder of a role that still exists, paged by user id: a role held by a million
   * users costs a million key deletions, but never more than one page in memory.
   */
  async function holdersOf(roleId: string): Promise<void> {
    let after: string | null = null;
    for (;;) {
      const page: string[] = await deps.roles.holders(roleId, after, INVALIDATION_BATCH);
      if (page.length === 0) return;
      await users(page);
      if (page.length < INVALIDATION_BATCH) return;
      after = page[page.length - 1] ?? null;
    }
  }

  return { users, holdersOf };
}

export type AccessInvalidation = ReturnType<typeof makeAccessInvalidation>;
