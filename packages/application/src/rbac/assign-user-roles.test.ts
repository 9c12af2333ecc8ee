import { describe, expect, it } from "vitest";
import { makeLoadAccess } from "../auth/load-access.js";
import { CacheKeys } from "../shared/cache-keys.js";
import { caught, FakeCache, FakeClock, InMemoryDatabase, requestContext } from "../testing/index.js";
import { makeAccessInvalidation } from "./access-invalidation.js";
import { makeAssignUserRoles } from "./assign-user-roles.js";
import { makeDeleteRole } from "./delete-role.js";
import { makeGrantRolePermissions } from "./grant-role-permissions.js";
import type { AdminActor } from "./privilege.js";
import { makeUnassignUserRole } from "./unassign-user-role.js";

function setup() {
  const clock = new FakeClock();
  const db = new InMemoryDatabase(clock);
  const cache = new FakeCache(clock);
  const invalidate = makeAccessInvalidation({ roles: db.roles, cache });
  const deps = { uow: db.uow, clock, invalidate };
  const loadAccess = makeLoadAccess({ users: db.users, cache });
  const actorFor = async (roles: string[]): Promise<AdminActor> => {
    const user = db.seedUser({}, roles);
    return { id: user.id, access: (await loadAccess(user.id)) ?? { roles: [], permissions: [] } };
  };
  return {
    db,
    cache,
    loadAccess,
    actorFor,
    ctx: requestContext(clock),
    assign: makeAssignUserRoles(deps),
    unassign: makeUnassignUserRole(deps),
    grant: makeGrantRolePermissions(deps),
    deleteRole: makeDeleteRole(deps),
  };
}

async function customRole(s: ReturnType<typeof setup>, name: string, permissionIds: string[]) {
  const role = await s.db.roles.create({ name, description: null });
  await s.db.roles.grantPermissions(role.id, permissionIds);
  return role;
}

describe("assign and unassign user roles", () => {
  it("assigns a role, audits it, and drops the target's cached access so the next read sees it", async () => {
    const s = setup();
    const actor = await s.actorFor(["super_admin"]);
    const target = s.db.seedUser();
    expect((await s.loadAccess(target.id))?.roles).toEqual(["user"]);
    const result = await s.assign(actor, target.id, { names: ["admin"] }, s.ctx);
    expect(result.roles.map((role) => role.name)).toEqual(["user", "admin"]);
    expect(s.cache.has(CacheKeys.permissions(target.id))).toBe(false);
    expect((await s.loadAccess(target.id))?.roles).toEqual(["admin", "user"]);
    expect(s.db.auditEntries().filter((entry) => entry.action === "role.assign")).toEqual([
      expect.objectContaining({ userId: actor.id, resourceType: "user_role", resourceId: target.id }),
    ]);
  });

  it("refuses super_admin to a non-super_admin and roles holding permissions the actor lacks", async () => {
    const s = setup();
    const manager = await s.actorFor([(await customRole(s, "manager", ["perm-roles-write"])).name]);
    const target = s.db.seedUser();
    for (const names of [["super_admin"], ["admin"]]) {
      const error = await caught(() => s.assign(manager, target.id, { names }, s.ctx));
      expect(error, names[0]).toMatchObject({ code: "PRIVILEGE_ESCALATION" });
    }
    // Nothing assigned; each refusal is audited as a failure, naming what was missing.
    expect(s.db.storedUsers().find((stored) => stored.user.id === target.id)?.roleNames).toEqual(["user"]);
    expect(s.db.auditEntries()).toEqual([
      expect.objectContaining({
        action: "role.assign",
        status: "failure",
        userId: manager.id,
        resourceId: target.id,
        details: { refused: "PRIVILEGE_ESCALATION" },
      }),
      expect.objectContaining({
        action: "role.assign",
        status: "failure",
        details: { refused: "PRIVILEGE_ESCALATION", missing_permissions: expect.arrayContaining(["users:write"]) },
      }),
    ]);
    const within = await customRole(s, "within", ["perm-roles-write"]);
    await expect(s.assign(manager, target.id, { ids: [within.id] }, s.ctx)).resolves.toBeDefined();
  });

  // Regression (admin takeover of a more privileged user): a role manager could strip an admin's
  // roles, since only the role being removed was checked, not what its holder holds.
  it("refuses to take a role from a user holding a permission the actor lacks, and changes nothing", async () => {
    const s = setup();
    const manager = await s.actorFor([(await customRole(s, "manager", ["perm-roles-write"])).name, "user"]);
    const helper = await customRole(s, "helper", ["perm-roles-write"]);
    const admin = s.db.seedUser({}, ["admin", "user"]);
    await s.assign(await s.actorFor(["super_admin"]), admin.id, { ids: [helper.id] }, s.ctx);
    const adminRole = s.db.storedUsers().find((stored) => stored.user.id === admin.id);
    const error = await caught(() => s.unassign(manager, admin.id, helper.id, s.ctx));
    expect(error).toMatchObject({ code: "PRIVILEGE_ESCALATION" });
    expect(s.db.storedUsers().find((stored) => stored.user.id === admin.id)?.roleNames).toEqual(adminRole?.roleNames);
    expect(s.db.auditEntries().at(-1)).toMatchObject({
      action: "role.unassign",
      status: "failure",
      details: { refused: "PRIVILEGE_ESCALATION", missing_permissions: expect.arrayContaining(["users:write"]) },
    });
    // A user holding no more than the manager loses the role.
    const peer = s.db.seedUser({}, ["user"]);
    await s.assign(await s.actorFor(["super_admin"]), peer.id, { ids: [helper.id] }, s.ctx);
    const after = await s.unassign(manager, peer.id, helper.id, s.ctx);
    expect(after.roles.map((role) => role.name)).toEqual(["user"]);
  });

  it("rolls the assignment back with its audit row when the audit write fails, and keeps the cache", async () => {
    const s = setup();
    const actor = await s.actorFor(["super_admin"]);
    const target = s.db.seedUser();
    await s.loadAccess(target.id);
    s.db.failNext("auditLog.append");
    await expect(s.assign(actor, target.id, { names: ["admin"] }, s.ctx)).rejects.toThrow("injected failure");
    expect(s.db.storedUsers().find((stored) => stored.user.id === target.id)?.roleNames).toEqual(["user"]);
    expect(s.db.auditEntries()).toEqual([]);
    expect(s.cache.deleted).toEqual([]);
  });

  it("never removes super_admin from the last holder, and lets a super_admin remove it from another", async () => {
    const s = setup();
    const root = await s.actorFor(["super_admin"]);
    const error = await caught(() => s.unassign(root, root.id ?? "", "role-super-admin", s.ctx));
    expect(error).toMatchObject({ code: "LAST_SUPER_ADMIN" });
    const other = s.db.seedUser({}, ["super_admin"]);
    const result = await s.unassign(root, other.id, "role-super-admin", s.ctx);
    expect(result.roles).toEqual([]);
    expect(s.cache.deleted).toEqual([CacheKeys.permissions(other.id)]);
  });
});

describe("role permission and deletion changes", () => {
  it("invalidates every holder when a role gains a permission or is force-deleted", async () => {
    const s = setup();
    const root = await s.actorFor(["super_admin"]);
    const role = await customRole(s, "readers", []);
    const holders = [s.db.seedUser({}, ["readers"]), s.db.seedUser({}, ["readers"])];
    await s.grant(root, role.id, ["perm-users-read"], s.ctx);
    expect(s.cache.deleted.sort()).toEqual(holders.map((holder) => CacheKeys.permissions(holder.id)).sort());

    s.cache.deleted.length = 0;
    expect(await caught(() => s.deleteRole(root, role.id, { force: false }, s.ctx))).toMatchObject({
      code: "ROLE_IN_USE",
      details: { user_count: 2 },
    });
    await s.deleteRole(root, role.id, { force: true }, s.ctx);
    expect(s.cache.deleted.sort()).toEqual(holders.map((holder) => CacheKeys.permissions(holder.id)).sort());
    expect((await s.loadAccess(holders[0]?.id as string))?.roles).toEqual([]);
  });

  it("refuses system roles and permissions the actor lacks", async () => {
    const s = setup();
    const manager = await s.actorFor([(await customRole(s, "manager", ["perm-roles-write"])).name]);
    expect(await caught(() => s.grant(manager, "role-admin", ["perm-roles-write"], s.ctx))).toMatchObject({
      code: "CANNOT_MODIFY_SYSTEM_ROLE",
    });
    const role = await customRole(s, "target_role", []);
    expect(await caught(() => s.grant(manager, role.id, ["perm-audit-read"], s.ctx))).toMatchObject({
      code: "PRIVILEGE_ESCALATION",
      details: { missing_permissions: ["audit:read"] },
    });
    expect(await caught(() => s.deleteRole(manager, "role-user", { force: true }, s.ctx))).toMatchObject({
      code: "CANNOT_DELETE_SYSTEM_ROLE",
    });
  });
});
