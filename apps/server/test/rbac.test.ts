import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCode, get, registerAndLogIn, type Session, send } from "./support/http.js";
import { BOOTSTRAP_ENV, logInRoot, must, permissionIds, roleWith, userWithRoles } from "./support/rbac.js";
import { sql, startTestServer, type TestServer, testDatabaseKinds, uniqueUser } from "./support/test-server.js";

interface RoleData {
  id: string;
  name: string;
  description: string | null;
  is_system: boolean;
  permissions: Array<{ id: string; name: string }>;
  user_count: number;
}

interface AuditRow {
  action: string;
  user_id: string | null;
  resource_type: string;
  resource_id: string | null;
  status: string;
  details: Record<string, unknown> | null;
  request_id: string | null;
}

describe.each(testDatabaseKinds())("roles, permissions and role assignments on %s", (kind) => {
  let t: TestServer;
  let root: Session;
  let ids: Map<string, string>;
  let roles: Map<string, RoleData>;
  beforeAll(async () => {
    t = await startTestServer(BOOTSTRAP_ENV, kind);
    root = await logInRoot(t);
    ids = await permissionIds(t, root);
    const listed = await must<RoleData[]>(send(t, "GET", "/api/v1/admin/roles", undefined, root.accessToken));
    roles = new Map(listed.map((role) => [role.name, role]));
  });
  afterAll(async () => {
    await t.close();
  });

  const auditRows = (action: string, resourceId: string) =>
    t.query<AuditRow>(
      sql`SELECT action, user_id, resource_type, resource_id, status, details, request_id FROM audit_logs
          WHERE action = ${action} AND resource_id = ${resourceId} ORDER BY "timestamp"`,
    );
  const systemRole = (name: string) => roles.get(name) as RoleData;

  describe("roles API", () => {
    it("lists the system roles with their permissions and holder counts", () => {
      expect(systemRole("super_admin")).toMatchObject({ is_system: true, user_count: 1 });
      expect(systemRole("admin").permissions.map((p) => p.name)).toEqual([
        "audit:read",
        "roles:read",
        "users:delete",
        "users:import",
        "users:read",
        "users:write",
      ]);
      expect(systemRole("user").permissions.map((p) => p.name)).toEqual(["chat:read", "chat:write"]);
    });

    it("creates a role, refuses a duplicate (409) and bad names (400), and audits the creation", async () => {
      const created = await send(
        t,
        "POST",
        "/api/v1/admin/roles",
        { name: "support_agent", description: "First line" },
        root.accessToken,
      );
      expect(created.status).toBe(201);
      const role = created.body.data as RoleData;
      expect(role).toMatchObject({ name: "support_agent", is_system: false, permissions: [], user_count: 0 });

      const duplicate = await send(t, "POST", "/api/v1/admin/roles", { name: "support_agent" }, root.accessToken);
      expect([duplicate.status, errorCode(duplicate.body)]).toEqual([409, "DUPLICATE_ROLE"]);
      for (const name of ["Support", "a", "has space", "x".repeat(51)]) {
        const bad = await send(t, "POST", "/api/v1/admin/roles", { name }, root.accessToken);
        expect([bad.status, errorCode(bad.body)], name).toEqual([400, "VALIDATION_ERROR"]);
      }
      const [row] = await auditRows("role.create", role.id);
      expect(row).toMatchObject({
        user_id: root.userId,
        resource_type: "role",
        status: "success",
        details: { name: "support_agent", description: "First line" },
      });
      expect(row?.request_id).toBe(created.headers["x-request-id"]);
    });

    it("updates a role, auditing each changed field as { old, new }", async () => {
      const roleId = await roleWith(t, root, []);
      const before = await must<RoleData>(
        send(t, "PUT", `/api/v1/admin/roles/${roleId}`, { description: "v1" }, root.accessToken),
      );
      const after = await must<RoleData>(
        send(t, "PUT", `/api/v1/admin/roles/${roleId}`, { name: "renamed_role", description: "v2" }, root.accessToken),
      );
      expect(after).toMatchObject({ id: roleId, name: "renamed_role", description: "v2" });
      const rows = await auditRows("role.update", roleId);
      expect(rows.map((row) => row.details)).toEqual([
        { changes: { description: { old: null, new: "v1" } } },
        { changes: { name: { old: before.name, new: "renamed_role" }, description: { old: "v1", new: "v2" } } },
      ]);
      const clash = await send(t, "PUT", `/api/v1/admin/roles/${roleId}`, { name: "admin" }, root.accessToken);
      expect([clash.status, errorCode(clash.body)]).toEqual([409, "DUPLICATE_ROLE"]);
      const unknownField = await send(t, "PUT", `/api/v1/admin/roles/${roleId}`, { is_system: true }, root.accessToken);
      expect(unknownField.status).toBe(400);
    });

    it("refuses to rename, change, re-permission or delete a system role (422)", async () => {
      const admin = systemRole("admin");
      const rename = await send(t, "PUT", `/api/v1/admin/roles/${admin.id}`, { name: "boss" }, root.accessToken);
      expect([rename.status, errorCode(rename.body)]).toEqual([422, "CANNOT_MODIFY_SYSTEM_ROLE"]);
      const grant = await send(
        t,
        "POST",
        `/api/v1/admin/roles/${admin.id}/permissions`,
        { permission_ids: [ids.get("permissions:write")] },
        root.accessToken,
      );
      expect([grant.status, errorCode(grant.body)]).toEqual([422, "CANNOT_MODIFY_SYSTEM_ROLE"]);
      const revoke = await send(
        t,
        "DELETE",
        `/api/v1/admin/roles/${admin.id}/permissions/${ids.get("users:read")}`,
        undefined,
        root.accessToken,
      );
      expect([revoke.status, errorCode(revoke.body)]).toEqual([422, "CANNOT_MODIFY_SYSTEM_ROLE"]);
      for (const name of ["super_admin", "admin", "user"]) {
        const removed = await send(
          t,
          "DELETE",
          `/api/v1/admin/roles/${systemRole(name).id}?force=true`,
          undefined,
          root.accessToken,
        );
        expect([removed.status, errorCode(removed.body)], name).toEqual([422, "CANNOT_DELETE_SYSTEM_ROLE"]);
      }
      const after = await must<RoleData[]>(send(t, "GET", "/api/v1/admin/roles", undefined, root.accessToken));
      expect(after.find((role) => role.id === admin.id)).toMatchObject({
        name: "admin",
        permissions: admin.permissions,
      });
    });

    it("answers 404 for unknown roles and permissions, 400 for malformed ids and force values", async () => {
      const unknown = "00000000-0000-4000-8000-000000000000";
      const missing = await send(t, "PUT", `/api/v1/admin/roles/${unknown}`, { name: "zzz" }, root.accessToken);
      expect([missing.status, errorCode(missing.body)]).toEqual([404, "ROLE_NOT_FOUND"]);
      const roleId = await roleWith(t, root, []);
      const missingPermission = await send(
        t,
        "POST",
        `/api/v1/admin/roles/${roleId}/permissions`,
        { permission_ids: [unknown] },
        root.accessToken,
      );
      expect([missingPermission.status, errorCode(missingPermission.body)]).toEqual([404, "PERMISSION_NOT_FOUND"]);
      const notHeld = await send(
        t,
        "DELETE",
        `/api/v1/admin/roles/${roleId}/permissions/${ids.get("users:read")}`,
        undefined,
        root.accessToken,
      );
      expect([notHeld.status, errorCode(notHeld.body)]).toEqual([404, "PERMISSION_NOT_FOUND"]);
      expect((await send(t, "DELETE", "/api/v1/admin/roles/not-a-uuid", undefined, root.accessToken)).status).toBe(400);
      const badForce = await send(t, "DELETE", `/api/v1/admin/roles/${roleId}?force=yes`, undefined, root.accessToken);
      expect(badForce.status).toBe(400);
    });
  });

  describe("permissions API", () => {
    it("creates resource:action permissions, refuses duplicates and bad names, and audits", async () => {
      const created = await send(
        t,
        "POST",
        "/api/v1/admin/permissions",
        { name: "reports:export", description: "Export reports" },
        root.accessToken,
      );
      expect(created.status).toBe(201);
      const permission = created.body.data as { id: string; name: string };
      expect(permission.name).toBe("reports:export");
      const duplicate = await send(
        t,
        "POST",
        "/api/v1/admin/permissions",
        { name: "reports:export" },
        root.accessToken,
      );
      expect([duplicate.status, errorCode(duplicate.body)]).toEqual([409, "DUPLICATE_PERMISSION"]);
      for (const name of ["reports", "Reports:export", "reports:export:all", "a b:c"]) {
        const bad = await send(t, "POST", "/api/v1/admin/permissions", { name }, root.accessToken);
        expect([bad.status, errorCode(bad.body)], name).toEqual([400, "VALIDATION_ERROR"]);
      }
      const listed = await must<Array<{ name: string }>>(
        send(t, "GET", "/api/v1/admin/permissions", undefined, root.accessToken),
      );
      expect(listed.map((p) => p.name)).toContain("reports:export");
      expect(await auditRows("permission.create", permission.id)).toHaveLength(1);
    });
  });

  describe("a change applies on the affected user's next request, with the same token", () => {
    it("follows role permission grants and revocations, role removal, and forced role deletion", async () => {
      const roleId = await roleWith(t, root, []);
      const member = await userWithRoles(t, root, [roleId]);
      const list = () => get(t, "/api/v1/admin/roles", member.accessToken);
      const grantRolesRead = () =>
        must(
          send(
            t,
            "POST",
            `/api/v1/admin/roles/${roleId}/permissions`,
            { permission_ids: [ids.get("roles:read")] },
            root.accessToken,
          ),
        );
      expect((await list()).status).toBe(403);

      await grantRolesRead();
      expect((await list()).status).toBe(200);

      await must(
        send(
          t,
          "DELETE",
          `/api/v1/admin/roles/${roleId}/permissions/${ids.get("roles:read")}`,
          undefined,
          root.accessToken,
        ),
      );
      expect((await list()).status).toBe(403);

      await grantRolesRead();
      expect((await list()).status).toBe(200);
      await must(
        send(t, "DELETE", `/api/v1/admin/users/${member.userId}/roles/${roleId}`, undefined, root.accessToken),
      );
      expect((await list()).status).toBe(403);

      await must(
        send(t, "POST", `/api/v1/admin/users/${member.userId}/roles`, { role_ids: [roleId] }, root.accessToken),
      );
      expect((await list()).status).toBe(200);
      const inUse = await send(t, "DELETE", `/api/v1/admin/roles/${roleId}`, undefined, root.accessToken);
      expect([inUse.status, errorCode(inUse.body)]).toEqual([409, "ROLE_IN_USE"]);
      expect(inUse.body.error).toMatchObject({ details: { user_count: 1 } });
      expect((await list()).status).toBe(200);

      await must(send(t, "DELETE", `/api/v1/admin/roles/${roleId}?force=true`, undefined, root.accessToken));
      expect((await list()).status).toBe(403);
      const rolesRead = { permission: "roles:read", permission_id: ids.get("roles:read"), role_id: roleId };
      expect((await auditRows("permission.assign", roleId)).map((row) => row.details)).toEqual([
        expect.objectContaining(rolesRead),
        expect.objectContaining(rolesRead),
      ]);
      expect(await auditRows("permission.unassign", roleId)).toEqual([
        expect.objectContaining({
          user_id: root.userId,
          resource_type: "role_permission",
          details: expect.objectContaining(rolesRead),
        }),
      ]);
      const [deleted] = await auditRows("role.delete", roleId);
      expect(deleted?.details).toMatchObject({ forced: true, unassigned_users: 1 });
    });
  });

  describe("privilege escalation", () => {
    let manager: Session;
    beforeAll(async () => {
      // A role manager: may assign roles, but holds only users:read besides.
      manager = await userWithRoles(t, root, [await roleWith(t, root, ["roles:write", "users:read"])]);
    });

    it("cannot grant super_admin, to itself or anyone", async () => {
      for (const body of [{ role_names: ["super_admin"] }, { role_ids: [systemRole("super_admin").id] }]) {
        const response = await send(
          t,
          "POST",
          `/api/v1/admin/users/${manager.userId}/roles`,
          body,
          manager.accessToken,
        );
        expect([response.status, errorCode(response.body)]).toEqual([403, "PRIVILEGE_ESCALATION"]);
      }
      const me = await get(t, "/api/v1/auth/me", manager.accessToken);
      expect((me.body.data as { roles: Array<{ name: string }> }).roles.map((r) => r.name)).not.toContain(
        "super_admin",
      );
    });

    it("cannot grant a role holding a permission it lacks, but can grant one within its own", async () => {
      const target = await registerAndLogIn(t, uniqueUser("target"));
      const admin = await send(
        t,
        "POST",
        `/api/v1/admin/users/${target.userId}/roles`,
        { role_names: ["admin"] },
        manager.accessToken,
      );
      expect([admin.status, errorCode(admin.body)]).toEqual([403, "PRIVILEGE_ESCALATION"]);
      expect(admin.body.error).toMatchObject({
        details: { missing_permissions: expect.arrayContaining(["users:write"]) },
      });

      const reader = await roleWith(t, root, ["users:read"]);
      const allowed = await must<{ roles: Array<{ name: string }> }>(
        send(t, "POST", `/api/v1/admin/users/${target.userId}/roles`, { role_ids: [reader] }, manager.accessToken),
      );
      expect(allowed.roles.map((role) => role.name)).toContain("user");
      const [refused, assigned] = await auditRows("role.assign", target.userId);
      expect(refused).toMatchObject({
        user_id: manager.userId,
        status: "failure",
        details: { refused: "PRIVILEGE_ESCALATION" },
      });
      expect(assigned).toMatchObject({
        user_id: manager.userId,
        resource_type: "user_role",
        status: "success",
        details: { role_id: reader },
      });
    });

    it("cannot add a permission it lacks to a role", async () => {
      const roleId = await roleWith(t, root, []);
      const response = await send(
        t,
        "POST",
        `/api/v1/admin/roles/${roleId}/permissions`,
        { permission_ids: [ids.get("users:read"), ids.get("permissions:write")] },
        manager.accessToken,
      );
      expect([response.status, errorCode(response.body)]).toEqual([403, "PRIVILEGE_ESCALATION"]);
      expect(response.body.error).toMatchObject({ details: { missing_permissions: ["permissions:write"] } });
      const roles = await must<RoleData[]>(send(t, "GET", "/api/v1/admin/roles", undefined, root.accessToken));
      expect(roles.find((role) => role.id === roleId)?.permissions).toEqual([]);
      // The refused grant is audited as a failure, and nothing else was written.
      expect(await auditRows("permission.assign", roleId)).toEqual([
        expect.objectContaining({
          user_id: manager.userId,
          status: "failure",
          details: { refused: "PRIVILEGE_ESCALATION", missing_permissions: ["permissions:write"] },
        }),
      ]);
    });

    it("cannot take super_admin away unless super_admin, and never from the last one", async () => {
      const superAdmin = systemRole("super_admin").id;
      const demote = await send(
        t,
        "DELETE",
        `/api/v1/admin/users/${root.userId}/roles/${superAdmin}`,
        undefined,
        manager.accessToken,
      );
      expect([demote.status, errorCode(demote.body)]).toEqual([403, "PRIVILEGE_ESCALATION"]);
      const last = await send(
        t,
        "DELETE",
        `/api/v1/admin/users/${root.userId}/roles/${superAdmin}`,
        undefined,
        root.accessToken,
      );
      expect([last.status, errorCode(last.body)]).toEqual([422, "LAST_SUPER_ADMIN"]);
      expect((await get(t, "/api/v1/admin/roles", root.accessToken)).status).toBe(200);
    });

    it("lets only one of two super_admins demoting each other at once succeed", async () => {
      const superAdmin = systemRole("super_admin").id;
      const second = await userWithRoles(t, root, [superAdmin]);
      const third = await userWithRoles(t, root, [superAdmin]);
      // root, second and third hold super_admin; root steps down, then the other two race.
      await must(
        send(t, "DELETE", `/api/v1/admin/users/${root.userId}/roles/${superAdmin}`, undefined, second.accessToken),
      );
      const results = await Promise.all([
        send(t, "DELETE", `/api/v1/admin/users/${third.userId}/roles/${superAdmin}`, undefined, second.accessToken),
        send(t, "DELETE", `/api/v1/admin/users/${second.userId}/roles/${superAdmin}`, undefined, third.accessToken),
      ]);
      const statuses = results.map((result) => result.status).sort();
      // The loser is refused either as LAST_SUPER_ADMIN or, having just lost the role, as forbidden.
      expect(statuses[0]).toBe(200);
      expect([403, 422]).toContain(statuses[1]);
      const [row] = await t.query<{ holders: number }>(
        sql`SELECT count(*)::int AS holders FROM user_roles WHERE role_id = ${superAdmin}`,
      );
      expect(row?.holders).toBe(1);
      // Put root back for the other tests.
      const survivor = results[0]?.status === 200 ? second : third;
      await must(
        send(t, "POST", `/api/v1/admin/users/${root.userId}/roles`, { role_ids: [superAdmin] }, survivor.accessToken),
      );
    });
  });

  describe("user role assignment", () => {
    it("assigns by name, ignores roles already held, and answers 404 for unknown users and roles", async () => {
      const target = await registerAndLogIn(t, uniqueUser("assign"));
      const first = await must<{ roles: Array<{ name: string }> }>(
        send(
          t,
          "POST",
          `/api/v1/admin/users/${target.userId}/roles`,
          { role_names: ["admin", "user"] },
          root.accessToken,
        ),
      );
      expect(first.roles.map((role) => role.name).sort()).toEqual(["admin", "user"]);
      expect((await auditRows("role.assign", target.userId)).map((row) => row.details?.role)).toEqual(["admin"]);

      const unknownRole = await send(
        t,
        "POST",
        `/api/v1/admin/users/${target.userId}/roles`,
        { role_names: ["nope_role"] },
        root.accessToken,
      );
      expect([unknownRole.status, errorCode(unknownRole.body)]).toEqual([404, "ROLE_NOT_FOUND"]);
      const unknownUser = await send(
        t,
        "POST",
        "/api/v1/admin/users/00000000-0000-4000-8000-000000000000/roles",
        { role_names: ["user"] },
        root.accessToken,
      );
      expect([unknownUser.status, errorCode(unknownUser.body)]).toEqual([404, "USER_NOT_FOUND"]);
      const both = await send(
        t,
        "POST",
        `/api/v1/admin/users/${target.userId}/roles`,
        { role_names: ["user"], role_ids: [] },
        root.accessToken,
      );
      expect(both.status).toBe(400);
      const notHeld = await send(
        t,
        "DELETE",
        `/api/v1/admin/users/${target.userId}/roles/${systemRole("super_admin").id}`,
        undefined,
        root.accessToken,
      );
      expect([notHeld.status, errorCode(notHeld.body)]).toEqual([404, "ROLE_NOT_FOUND"]);

      await must(
        send(
          t,
          "DELETE",
          `/api/v1/admin/users/${target.userId}/roles/${systemRole("admin").id}`,
          undefined,
          root.accessToken,
        ),
      );
      const [unassigned] = await auditRows("role.unassign", target.userId);
      expect(unassigned).toMatchObject({ user_id: root.userId, details: { role: "admin" } });
    });
  });

  describe("atomicity", () => {
    it("a failed transaction leaves neither the change nor its audit row", async () => {
      // Make the audit insert itself fail for one action: the role insert before it must roll back.
      await t.query(sql`
        CREATE FUNCTION fail_role_create_audit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.action = 'role.create' AND NEW.details->>'name' = 'doomed_role' THEN
            RAISE EXCEPTION 'injected audit failure';
          END IF;
          RETURN NEW;
        END $$`);
      await t.query(sql`
        CREATE TRIGGER fail_role_create_audit BEFORE INSERT ON audit_logs
        FOR EACH ROW EXECUTE FUNCTION fail_role_create_audit()`);
      try {
        const response = await send(t, "POST", "/api/v1/admin/roles", { name: "doomed_role" }, root.accessToken);
        expect([response.status, errorCode(response.body)]).toEqual([500, "INTERNAL_ERROR"]);
        expect(await t.query(sql`SELECT 1 FROM roles WHERE name = 'doomed_role'`)).toEqual([]);
        expect(
          await t.query(
            sql`SELECT 1 FROM audit_logs WHERE action = 'role.create' AND details->>'name' = 'doomed_role'`,
          ),
        ).toEqual([]);
      } finally {
        await t.query(sql`DROP TRIGGER fail_role_create_audit ON audit_logs`);
        await t.query(sql`DROP FUNCTION fail_role_create_audit()`);
      }
      const retried = await send(t, "POST", "/api/v1/admin/roles", { name: "doomed_role" }, root.accessToken);
      expect(retried.status).toBe(201);
    });

    it("audits a forbidden admin call as a failure", async () => {
      const plain = await registerAndLogIn(t, uniqueUser("nosy"));
      expect((await get(t, "/api/v1/admin/roles", plain.accessToken)).status).toBe(403);
      const rows = await t.query<AuditRow>(
        sql`SELECT action, user_id, resource_type, resource_id, status, details, request_id FROM audit_logs
            WHERE action = 'access.denied' AND user_id = ${plain.userId}`,
      );
      expect(rows).toEqual([
        expect.objectContaining({ status: "failure", details: { required_permission: "roles:read" } }),
      ]);
    });
  });
});
