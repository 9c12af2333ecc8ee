import { DomainError } from "@gatehouse/domain";
import { describe, expect, it } from "vitest";
import { CacheKeys, CacheShapeVersions, userCacheKeys } from "../shared/cache-keys.js";
import { caught, FakeCache, FakeClock, InMemoryDatabase } from "../testing/index.js";
import { makeGetCurrentUser } from "./get-current-user.js";

function setup() {
  const clock = new FakeClock();
  const db = new InMemoryDatabase(clock);
  const cache = new FakeCache(clock);
  const getCurrentUser = makeGetCurrentUser({ users: db.users, cache });
  const user = db.seedUser({ email: "alice@example.com" }, ["user", "admin"]);
  return { db, cache, clock, getCurrentUser, user };
}

describe("getCurrentUser", () => {
  it("returns the user with roles and their permissions", async () => {
    const { getCurrentUser, user } = setup();
    const account = await getCurrentUser(user.id);
    const { passwordHash: _hash, ...profile } = user;
    expect(account.user).toEqual(profile);
    expect(account.roles.map((role) => role.name)).toEqual(["user", "admin"]);
    expect(account.roles[1]?.permissions).toContain("users:write");
  });

  it("serves the profile from the cache (no password hash, dates restored) until the user's keys are deleted", async () => {
    const { db, cache, getCurrentUser, user } = setup();
    await getCurrentUser(user.id);
    db.updateUser(user.id, { fullName: "Alice Liddell" });
    const cached = await getCurrentUser(user.id);
    expect(cached.user.fullName).toBe(user.fullName);
    expect(cached.user.createdAt).toEqual(user.createdAt);
    expect(cached.user).not.toHaveProperty("passwordHash");
    expect(JSON.stringify(await cache.get(CacheKeys.user(user.id)))).not.toContain(user.passwordHash);
    await cache.delete(userCacheKeys(user.id));
    expect((await getCurrentUser(user.id)).user.fullName).toBe("Alice Liddell");
  });

  it("reads an entry of another shape version as a miss and replaces it", async () => {
    const { cache, getCurrentUser, user } = setup();
    await cache.set(CacheKeys.permissions(user.id), { v: CacheShapeVersions.permissions - 1, value: ["admin"] }, 60);
    const account = await getCurrentUser(user.id);
    expect(account.roles.map((role) => role.name)).toEqual(["user", "admin"]);
    expect(await cache.get(CacheKeys.permissions(user.id))).toMatchObject({ v: CacheShapeVersions.permissions });
  });

  it("refuses a user suspended after their profile was cached once the keys are deleted", async () => {
    const { db, cache, getCurrentUser, user } = setup();
    await getCurrentUser(user.id);
    db.updateUser(user.id, { status: "suspended" });
    await cache.delete(userCacheKeys(user.id));
    await expect(getCurrentUser(user.id)).rejects.toMatchObject({ code: "ACCOUNT_SUSPENDED" });
  });

  it("fails with UNAUTHORIZED for an unknown user", async () => {
    const { getCurrentUser } = setup();
    const error = await caught(() => getCurrentUser("user-404"));
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("fails with UNAUTHORIZED for a soft-deleted user", async () => {
    const { db, getCurrentUser, user } = setup();
    db.updateUser(user.id, { deletedAt: new Date("2024-01-01T00:00:00Z") });
    await expect(getCurrentUser(user.id)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it.each([
    ["suspended", "ACCOUNT_SUSPENDED"],
    ["deactivated", "ACCOUNT_DEACTIVATED"],
    ["pending_verification", "ACCOUNT_NOT_VERIFIED"],
    ["pending_approval", "ACCOUNT_PENDING_APPROVAL"],
  ] as const)("fails for a %s user with %s", async (status, code) => {
    const { db, getCurrentUser, user } = setup();
    db.updateUser(user.id, { status });
    const error = await caught(() => getCurrentUser(user.id));
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code });
  });
});
