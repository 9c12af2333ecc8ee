import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RoleRepository } from "../ports/role-repository.js";
import { Permissions } from "../user/role.js";
import { UserChanges } from "../user/user.js";
import { type ContractHarness, type ContractOptions, caseFor, newUserInput, type OpenHarness } from "./harness.js";

const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";
const unique = (prefix: string) => `${prefix}_${Math.random().toString(36).slice(2, 10)}`;

/**
 * The `RoleRepository` contract at the port: roles, permissions, grants and assignments. Row
 * locks that make check-then-act serialize, and concurrent creations, stay with the Drizzle tests.
 */
export function roleRepositoryContract(name: string, open: OpenHarness, options: ContractOptions = {}): void {
  describe(`RoleRepository contract on ${name}`, () => {
    let harness: ContractHarness;
    beforeAll(async () => {
      harness = await open();
    });
    afterAll(async () => {
      await harness.close();
    });
    const roles = (): RoleRepository => harness.repos.roles;
    const newUserId = async () => (await harness.repos.users.create(newUserInput(), [])).id;
    /** A seeded permission's id, read through the port every adapter offers. */
    const permissionId = async (permission: string) => {
      const [superAdmin] = await roles().findForAssignment({ names: ["super_admin"] });
      const found = superAdmin?.permissions.find((candidate) => candidate.name === permission);
      if (found === undefined) throw new Error(`no permission ${permission}`);
      return found.id;
    };
    const itUses = (method: keyof RoleRepository, title: string, body: () => Promise<void>) =>
      caseFor(options, roles, method, title, body, [UNKNOWN_ID, { name: unique("x"), description: null }]);

    it("creates a role and refuses a duplicate name", async () => {
      const roleName = unique("support");
      const created = await roles().create({ name: roleName, description: "First line" });
      expect(created).toMatchObject({ name: roleName, description: "First line", isSystem: false });
      await expect(roles().create({ name: roleName, description: null })).rejects.toMatchObject({
        code: "DUPLICATE_ROLE",
      });
    });

    it("grants permissions idempotently and finds (and locks) the role with them", async () => {
      const role = await roles().create({ name: unique("grants"), description: null });
      const [read, audit] = [await permissionId("users:read"), await permissionId("audit:read")];
      expect((await roles().grantPermissions(role.id, [read, audit])).sort()).toEqual([read, audit].sort());
      expect(await roles().grantPermissions(role.id, [read])).toEqual([]);
      expect((await roles().findById(role.id))?.permissions.map((p) => p.name)).toEqual(["audit:read", "users:read"]);
      const locked = await harness.uow.run((tx) => tx.roles.lock(role.id));
      expect(locked?.permissions.map((p) => p.name)).toEqual(["audit:read", "users:read"]);
      expect(await roles().findById(UNKNOWN_ID)).toBeUndefined();
    });

    it("finds permissions by id, leaving unknown ids out", async () => {
      const read = await permissionId("users:read");
      expect((await roles().findPermissions([read, UNKNOWN_ID])).map((p) => p.name)).toEqual(["users:read"]);
      expect(await roles().findPermissions([])).toEqual([]);
    });

    it("assigns and unassigns idempotently, finds roles by id or name, counts live holders only", async () => {
      const role = await roles().create({ name: unique("holders"), description: null });
      const [alice, bob] = [await newUserId(), await newUserId()];
      expect(await roles().assign(alice, [role.id], null)).toEqual([role.id]);
      expect(await roles().assign(alice, [role.id], bob)).toEqual([]);
      expect(await roles().assign(bob, [role.id], alice)).toEqual([role.id]);
      expect(await roles().countHolders(role.id)).toBe(2);
      const at = new Date();
      await harness.repos.users.update(bob, UserChanges.softDelete(alice, at), at);
      expect(await roles().countHolders(role.id)).toBe(1);
      expect((await roles().findForAssignment({ ids: [role.id] })).map((r) => r.name)).toEqual([role.name]);
      expect((await roles().findForAssignment({ names: [role.name, "nope"] })).map((r) => r.id)).toEqual([role.id]);
      expect(await roles().unassign(alice, role.id)).toBe(true);
      expect(await roles().unassign(alice, role.id)).toBe(false);
      expect(await roles().countHolders(role.id)).toBe(0);
    });

    it("pages a role's holders in id order without gaps or repeats", async () => {
      const role = await roles().create({ name: unique("paged"), description: null });
      const ids: string[] = [];
      for (let i = 0; i < 7; i += 1) {
        const id = await newUserId();
        ids.push(id);
        await roles().assign(id, [role.id], null);
      }
      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page: string[] = await roles().holders(role.id, after, 3);
        if (page.length === 0) break;
        expect(page.length).toBeLessThanOrEqual(3);
        seen.push(...page);
        after = page[page.length - 1] ?? null;
      }
      expect(seen).toEqual([...ids].sort());
    });

    it("deletes a role together with its assignments and grants", async () => {
      const role = await roles().create({ name: unique("doomed"), description: null });
      const user = await newUserId();
      await roles().assign(user, [role.id], null);
      await roles().grantPermissions(role.id, [await permissionId("users:read")]);
      await roles().delete(role.id);
      expect(await roles().findById(role.id)).toBeUndefined();
      expect(await roles().holders(role.id, null, 10)).toEqual([]);
      expect((await harness.repos.users.find(user))?.roles).toEqual([]);
    });

    itUses("list", "lists the seeded roles with their permissions, system flags and live-holder counts", async () => {
      const listed = await roles().list();
      const superAdmin = listed.find((role) => role.name === "super_admin");
      expect(superAdmin?.isSystem).toBe(true);
      expect(superAdmin?.permissions.map((p) => p.name)).toEqual([...Permissions].sort());
      expect(listed.map((role) => role.name)).toEqual([...listed.map((role) => role.name)].sort());
      const role = await roles().create({ name: unique("counted"), description: null });
      await roles().assign(await newUserId(), [role.id], null);
      expect((await roles().list()).find((candidate) => candidate.id === role.id)?.userCount).toBe(1);
    });

    itUses("update", "renames and re-describes a role; a taken name or unknown role is refused", async () => {
      const created = await roles().create({ name: unique("renamed"), description: "x" });
      const renamed = await roles().update(created.id, { name: `${created.name}_2`, description: null });
      expect(renamed).toMatchObject({ id: created.id, name: `${created.name}_2`, description: null });
      await expect(roles().update(created.id, { name: "admin", description: null })).rejects.toMatchObject({
        code: "DUPLICATE_ROLE",
      });
      await expect(roles().update(UNKNOWN_ID, { name: unique("x"), description: null })).rejects.toMatchObject({
        code: "ROLE_NOT_FOUND",
      });
    });

    itUses("revokePermission", "revokes a granted permission once", async () => {
      const role = await roles().create({ name: unique("revoked"), description: null });
      const read = await permissionId("users:read");
      await roles().grantPermissions(role.id, [read]);
      expect(await roles().revokePermission(role.id, read)).toBe(true);
      expect(await roles().revokePermission(role.id, read)).toBe(false);
      expect((await roles().findById(role.id))?.permissions).toEqual([]);
    });

    itUses("createPermission", "creates a permission and refuses a duplicate", async () => {
      const permission = `${unique("reports")}:export`;
      const created = await roles().createPermission({ name: permission, description: "Export reports" });
      expect(created).toMatchObject({ name: permission, description: "Export reports" });
      await expect(roles().createPermission({ name: permission, description: null })).rejects.toMatchObject({
        code: "DUPLICATE_PERMISSION",
      });
    });

    itUses("listPermissions", "lists every permission in name order", async () => {
      const names = (await roles().listPermissions()).map((p) => p.name);
      expect(names).toEqual(expect.arrayContaining([...Permissions]));
      expect(names).toEqual([...names].sort());
    });

    itUses("lockByName", "finds a role by name", async () => {
      expect((await harness.uow.run((tx) => tx.roles.lockByName("super_admin")))?.isSystem).toBe(true);
      expect(await roles().lockByName(unique("none"))).toBeUndefined();
    });
  });
}
