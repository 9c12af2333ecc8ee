import type { AccessTokenClaims } from "@gatehouse/domain";
import { describe, expect, it } from "vitest";
import { CacheKeys } from "../shared/cache-keys.js";
import { caught, FakeCache, FakeClock, InMemoryDatabase, requestContext } from "../testing/index.js";
import { makeAuthorize } from "./authorize.js";
import { makeLoadAccess } from "./load-access.js";

function setup(roleNames: string[]) {
  const clock = new FakeClock();
  const db = new InMemoryDatabase(clock);
  const cache = new FakeCache(clock);
  const loadAccess = makeLoadAccess({ users: db.users, cache });
  const authorize = makeAuthorize({ loadAccess, auditLog: db.auditLog, clock });
  const user = db.seedUser({ email: "ada@example.com" }, roleNames);
  const claims = { sub: user.id, sid: "sid-1" } as AccessTokenClaims;
  return { db, cache, authorize, user, claims, ctx: requestContext(clock) };
}

describe("authorize", () => {
  it("lets a role holding the permission through and returns the access it found", async () => {
    const { authorize, claims, ctx } = setup(["user", "admin"]);
    const access = await authorize(claims, "users:read", ctx);
    expect(access.roles).toEqual(["admin", "user"]);
    expect(access.permissions).toContain("users:read");
  });

  it("lets super_admin through for any permission, even one created later", async () => {
    const { authorize, claims, ctx } = setup(["super_admin"]);
    await expect(authorize(claims, "reports:export", ctx)).resolves.toBeDefined();
  });

  it("refuses a missing permission with the permission in details, and audits the refusal", async () => {
    const { db, authorize, claims, ctx, user } = setup(["user"]);
    const error = await caught(() => authorize(claims, "users:read", ctx));
    expect(error).toMatchObject({
      code: "INSUFFICIENT_PERMISSIONS",
      details: { required_permission: "users:read" },
    });
    expect(db.auditEntries()).toEqual([
      expect.objectContaining({
        action: "access.denied",
        userId: user.id,
        status: "failure",
        details: { required_permission: "users:read" },
      }),
    ]);
  });

  it("reads permissions from the cache, so a change shows once the key is deleted", async () => {
    const { db, cache, authorize, claims, ctx, user } = setup(["user"]);
    await expect(authorize(claims, "users:read", ctx)).rejects.toMatchObject({ code: "INSUFFICIENT_PERMISSIONS" });
    expect(cache.has(CacheKeys.permissions(user.id))).toBe(true);

    db.setRoles(user.id, ["user", "admin"]);
    // Still the cached answer: the store is not read again until the key is invalidated.
    await expect(authorize(claims, "users:read", ctx)).rejects.toMatchObject({ code: "INSUFFICIENT_PERMISSIONS" });
    await cache.delete([CacheKeys.permissions(user.id)]);
    await expect(authorize(claims, "users:read", ctx)).resolves.toBeDefined();
  });

  it("refuses a user who can no longer hold a session (soft-deleted or suspended)", async () => {
    const { db, authorize, claims, ctx, user } = setup(["super_admin"]);
    db.updateUser(user.id, { status: "suspended" });
    await expect(authorize(claims, "users:read", ctx)).rejects.toMatchObject({ code: "SESSION_REVOKED" });
  });
});
