import type { Cache, SessionRevocations } from "@gatehouse/domain";
import { userCacheKeys } from "./cache-keys.js";

/** What the step after a committed write to a user row needs. */
export interface AfterUserChangeDeps {
  readonly revocations: Pick<SessionRevocations, "revoke">;
  readonly cache: Pick<Cache, "delete">;
}

/**
 * The one step after the commit of any write to a user row, whoever made it: the sessions the
 * write ended (`endedSessions`, refresh-token families) are refused from the next request on,
 * and every cache entry derived from the user (`userCacheKeys`) is dropped, so the next read
 * sees the change. After the commit, never before: an earlier delete would let a concurrent
 * request cache the old row again before the change is visible.
 */
export async function afterUserChange(
  deps: AfterUserChangeDeps,
  userId: string,
  endedSessions: readonly string[] = [],
): Promise<void> {
  await Promise.all([
    endedSessions.length > 0 ? deps.revocations.revoke(endedSessions) : undefined,
    deps.cache.delete(userCacheKeys(userId)),
  ]);
}
