import { describe, expect, it } from "vitest";
import { CacheKeys } from "../shared/cache-keys.js";
import { INVALIDATION_BATCH, makeAccessInvalidation } from "./access-invalidation.js";

/** A role holder list with `count` users and a cache that records each delete call. */
function setup(count: number) {
  const ids = Array.from({ length: count }, (_, i) => `user-${String(i).padStart(6, "0")}`);
  const pages: Array<{ after: string | null; limit: number }> = [];
  const calls: string[][] = [];
  const invalidation = makeAccessInvalidation({
    roles: {
      holders: async (_roleId, after, limit) => {
        pages.push({ after, limit });
        return ids.filter((id) => after === null || id > after).slice(0, limit);
      },
    },
    cache: {
      delete: async (keys) => {
        calls.push([...keys]);
      },
    },
  });
  return { ids, pages, calls, invalidation };
}

describe("access invalidation", () => {
  it("drops every holder's permissions key, one bounded page and one bounded delete at a time", async () => {
    const { ids, pages, calls, invalidation } = setup(2 * INVALIDATION_BATCH + 7);
    await invalidation.holdersOf("role-1");
    expect(calls.flat()).toEqual(ids.map(CacheKeys.permissions));
    expect(calls.map((keys) => keys.length)).toEqual([INVALIDATION_BATCH, INVALIDATION_BATCH, 7]);
    expect(pages.map((page) => page.after)).toEqual([
      null,
      ids[INVALIDATION_BATCH - 1],
      ids[2 * INVALIDATION_BATCH - 1],
    ]);
  });

  it("stops after an exactly full last page with one empty read, and does nothing for no holders", async () => {
    const full = setup(INVALIDATION_BATCH);
    await full.invalidation.holdersOf("role-1");
    expect(full.calls).toHaveLength(1);
    expect(full.pages).toHaveLength(2);
    const none = setup(0);
    await none.invalidation.holdersOf("role-1");
    expect(none.calls).toEqual([]);
  });

  it("splits an explicit user list into batches", async () => {
    const { calls, invalidation } = setup(0);
    const users = Array.from({ length: INVALIDATION_BATCH + 1 }, (_, i) => `u${i}`);
    await invalidation.users(users);
    expect(calls.map((keys) => keys.length)).toEqual([INVALIDATION_BATCH, 1]);
    expect(calls[1]).toEqual([CacheKeys.permissions(`u${INVALIDATION_BATCH}`)]);
  });
});
