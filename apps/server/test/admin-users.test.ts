import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorCode, get, logIn, post, registerAndLogIn, type Session } from "./support/http.js";
import { sql, startTestServer, type TestServer, testDatabaseKinds, uniqueUser } from "./support/test-server.js";

type Json = Record<string, unknown>;
const BASE = "/api/v1/admin/users";

async function send(t: TestServer, method: "PUT" | "DELETE" | "POST", url: string, token: string, payload?: unknown) {
  const response = await t.app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload === undefined ? {} : { payload: payload as Json }),
  });
  return { status: response.statusCode, body: response.json() as Json };
}

/** A registered, signed-in user holding `role` (granted before its first permission check). */
async function signedInWith(t: TestServer, role: string | null, prefix = "member") {
  const credentials = uniqueUser(prefix);
  const session = await registerAndLogIn(t, credentials);
  if (role !== null) {
    await t.query(
      sql`INSERT INTO user_roles (user_id, role_id) SELECT ${session.userId}, id FROM roles WHERE name = ${role}`,
    );
  }
  return { ...session, ...credentials };
}

async function auditRows(t: TestServer, action: string, resourceId: string) {
  return t.query<{ user_id: string | null; resource_id: string; details: Json; status: string; request_id: string }>(
    sql`SELECT user_id, resource_id, details, status, request_id FROM audit_logs WHERE action = ${action} AND resource_id = ${resourceId}`,
  );
}

async function userRow(t: TestServer, id: string) {
  const [row] = await t.query<Json>(sql`SELECT * FROM users WHERE id = ${id}`);
  return row;
}

describe.each(testDatabaseKinds())("admin users API on %s", (kind) => {
  let t: TestServer;
  let admin: Session & { username: string };
  let superAdmin: Session & { username: string };
  beforeAll(async () => {
    t = await startTestServer({}, kind);
    admin = await signedInWith(t, "admin", "admin");
    superAdmin = await signedInWith(t, "super_admin", "root");
  });
  afterAll(async () => {
    await t.close();
  });

  it("GET /{id} shows keycloak_id and keycloak_sync_status: null for a local user, the stored link otherwise", async () => {
    const target = await signedInWith(t, null, "linked");
    const local = await get(t, `${BASE}/${target.userId}`, admin.accessToken);
    expect(local.body.data).toMatchObject({ keycloak_id: null, keycloak_sync_status: null });
    const keycloakId = `kc-${target.userId}`;
    await t.query(
      sql`UPDATE users SET keycloak_id = ${keycloakId}, keycloak_sync_status = 'failed' WHERE id = ${target.userId}`,
    );
    const linked = await get(t, `${BASE}/${target.userId}`, admin.accessToken);
    expect(linked.body.data).toMatchObject({ keycloak_id: keycloakId, keycloak_sync_status: "failed" });
  });

  describe("GET / (list)", () => {
    it("searches username, email and full name case-insensitively, taking % and _ literally", async () => {
      const tag = `q${Math.random().toString(36).slice(2, 7)}`;
      const literal = await signedInWith(t, null, `${tag}_x`);
      await signedInWith(t, null, `${tag}yx`);
      const underscore = await get(t, `${BASE}?search=${tag}_x`, admin.accessToken);
      expect(underscore.status).toBe(200);
      const items = (underscore.body.data as { items: Array<{ id: string }> }).items;
      expect(items.map((item) => item.id)).toEqual([literal.userId]);
      const percent = await get(t, `${BASE}?search=${encodeURIComponent("%")}`, admin.accessToken);
      expect((percent.body.data as { items: unknown[] }).items).toEqual([]);
      const upper = await get(t, `${BASE}?search=${tag.toUpperCase()}`, admin.accessToken);
      expect((upper.body.data as { pagination: { total_items: number } }).pagination.total_items).toBe(2);
      await t.query(sql`UPDATE users SET full_name = ${`Grace ${tag} Hopper`} WHERE id = ${admin.userId}`);
      const byName = await get(t, `${BASE}?search=${encodeURIComponent(`grace ${tag}`)}`, admin.accessToken);
      expect((byName.body.data as { items: Array<{ id: string }> }).items.map((item) => item.id)).toEqual([
        admin.userId,
      ]);
    });

    it("paginates with total_items/total_pages, sorts, and filters by role, status and is_active", async () => {
      const page = await get(t, `${BASE}?page=1&per_page=1&sort=username&order=asc`, admin.accessToken);
      const data = page.body.data as { items: Array<Json>; pagination: Json };
      expect(data.items).toHaveLength(1);
      expect(data.pagination).toMatchObject({ page: 1, per_page: 1 });
      expect(data.pagination.total_pages).toBe(data.pagination.total_items);
      expect(data.items[0]).not.toHaveProperty("password_hash");

      const admins = await get(t, `${BASE}?role=super_admin`, admin.accessToken);
      const adminItems = (admins.body.data as { items: Array<{ id: string; roles: string[] }> }).items;
      expect(adminItems.map((item) => item.id)).toEqual([superAdmin.userId]);
      expect(adminItems[0]?.roles).toEqual(["super_admin", "user"]);

      const pending = await signedInWith(t, null, "pending");
      await t.query(sql`UPDATE users SET status = 'pending_approval' WHERE id = ${pending.userId}`);
      const byStatus = await get(t, `${BASE}?status=pending_approval&per_page=100`, admin.accessToken);
      const ids = (byStatus.body.data as { items: Array<{ id: string }> }).items.map((item) => item.id);
      expect(ids).toContain(pending.userId);
      const inactive = await get(t, `${BASE}?is_active=false&per_page=100`, admin.accessToken);
      const inactiveIds = (inactive.body.data as { items: Array<{ id: string }> }).items.map((item) => item.id);
      expect(inactiveIds).toContain(pending.userId);
      expect(inactiveIds).not.toContain(admin.userId);
    });

    it("answers 400 VALIDATION_ERROR for a bad page, per_page over 100, a bad sort or an unknown parameter", async () => {
      for (const query of [
        "page=0",
        "page=abc",
        "page=1.5",
        "per_page=101",
        "per_page=0",
        "sort=password_hash",
        "order=up",
        "is_active=yes",
        "bogus=1",
      ]) {
        const response = await get(t, `${BASE}?${query}`, admin.accessToken);
        expect(response.status, query).toBe(400);
        expect(errorCode(response.body), query).toBe("VALIDATION_ERROR");
      }
    });

    it("refuses a plain user (403) and an anonymous caller (401)", async () => {
      const plain = await signedInWith(t, null);
      expect(errorCode((await get(t, BASE, plain.accessToken)).body)).toBe("INSUFFICIENT_PERMISSIONS");
      expect((await get(t, BASE)).status).toBe(401);
    });
  });

  it("GET /statistics counts by role, by status, active/inactive, deleted and registrations", async () => {
    const response = await get(t, `${BASE}/statistics`, admin.accessToken);
    expect(response.status).toBe(200);
    const stats = response.body.data as {
      total_users: number;
      active: number;
      inactive: number;
      by_role: Record<string, number>;
      by_status: Record<string, number>;
      registrations: { last_24h: number };
    };
    expect(stats.by_role.super_admin).toBe(1);
    expect(stats.active + stats.inactive).toBe(stats.total_users);
    expect(Object.values(stats.by_status).reduce((a, b) => a + b, 0)).toBe(stats.total_users);
    expect(stats.registrations.last_24h).toBeGreaterThanOrEqual(stats.total_users);
  });

  describe("POST / (create)", () => {
    it("creates a user without a password who cannot sign in until a reset, audited", async () => {
      const fresh = uniqueUser("made");
      const response = await post(
        t,
        BASE,
        { username: fresh.username, email: fresh.email, organization: "Radiology", department: "Night shift" },
        admin.accessToken,
      );
      expect(response.status).toBe(201);
      const data = response.body.data as { id: string; roles: string[]; organization: string; status: string };
      expect(data).toMatchObject({ roles: ["user"], organization: "Radiology", status: "active" });
      expect((await userRow(t, data.id))?.password_hash).toBe("!password-reset-required");
      const login = await post(t, "/api/v1/auth/login", { email: fresh.email, password: fresh.password });
      expect(errorCode(login.body)).toBe("INVALID_CREDENTIALS");
      const [audit] = await auditRows(t, "user.create", data.id);
      expect(audit).toMatchObject({ user_id: admin.userId, status: "success" });
      expect(audit?.details).toMatchObject({ password_set: false, roles: ["user"] });
    });

    it("creates with a password that signs in, and validates like registration", async () => {
      const fresh = uniqueUser("made");
      expect((await post(t, BASE, fresh, admin.accessToken)).status).toBe(201);
      await logIn(t, fresh);
      const bad = await post(t, BASE, { username: "x", email: "nope", password: "short" }, admin.accessToken);
      expect(bad.status).toBe(400);
      expect((bad.body.error as { details: Array<{ field: string }> }).details.map((d) => d.field).sort()).toEqual([
        "email",
        "password",
        "username",
      ]);
      expect((await post(t, BASE, { ...uniqueUser(), email: fresh.email }, admin.accessToken)).status).toBe(409);
    });

    // Regression, "one rule, two answers": granting more than one holds answered
    // SUPER_ADMIN_REQUIRED / INSUFFICIENT_PERMISSIONS here but PRIVILEGE_ESCALATION on
    // POST /admin/users/{id}/roles. Both routes now give the one answer.
    it("refuses to grant super_admin, or a role carrying a permission the admin lacks (PRIVILEGE_ESCALATION)", async () => {
      const root = await post(t, BASE, { ...uniqueUser(), roles: ["super_admin"] }, admin.accessToken);
      expect(root.status).toBe(403);
      expect(errorCode(root.body)).toBe("PRIVILEGE_ESCALATION");
      await t.query(sql`INSERT INTO roles (name) VALUES ('role_writer') ON CONFLICT DO NOTHING`);
      await t.query(
        sql`INSERT INTO role_permissions (role_id, permission_id) SELECT r.id, p.id FROM roles r, permissions p WHERE r.name = 'role_writer' AND p.name = 'roles:write' ON CONFLICT DO NOTHING`,
      );
      const escalation = await post(t, BASE, { ...uniqueUser(), roles: ["role_writer"] }, admin.accessToken);
      expect(escalation.status).toBe(403);
      expect(escalation.body.error).toMatchObject({
        code: "PRIVILEGE_ESCALATION",
        details: { missing_permissions: ["roles:write"] },
      });
      const unknown = await post(t, BASE, { ...uniqueUser(), roles: ["no_such_role"] }, admin.accessToken);
      expect(errorCode(unknown.body)).toBe("VALIDATION_ERROR");
      expect((await post(t, BASE, { ...uniqueUser(), roles: ["super_admin"] }, superAdmin.accessToken)).status).toBe(
        201,
      );
    });
  });

  // Attack: an admin (no roles:write) changed a role manager's email to one they read, ran
  // forgot/reset with the mailed code and signed in as them; suspending them worked too.
  describe("admin takeover of a more privileged user", () => {
    it("refuses to change, suspend or delete a user holding a permission the admin lacks", async () => {
      const roleName = `mgr_${Math.random().toString(36).slice(2, 10)}`;
      await t.query(sql`INSERT INTO roles (name) VALUES (${roleName})`);
      await t.query(
        sql`INSERT INTO role_permissions (role_id, permission_id) SELECT r.id, p.id FROM roles r, permissions p WHERE r.name = ${roleName} AND p.name = 'roles:write'`,
      );
      const manager = await signedInWith(t, roleName, "manager");
      const before = await userRow(t, manager.userId);
      const attempts = [
        await send(t, "PUT", `${BASE}/${manager.userId}`, admin.accessToken, { email: "attacker@example.com" }),
        await send(t, "POST", `${BASE}/${manager.userId}/suspend`, admin.accessToken, { reason: "x" }),
        await send(t, "DELETE", `${BASE}/${manager.userId}`, admin.accessToken),
      ];
      for (const attempt of attempts) {
        expect(attempt.status, JSON.stringify(attempt.body)).toBe(403);
        expect(errorCode(attempt.body)).toBe("PRIVILEGE_ESCALATION");
        expect((attempt.body.error as { details: Json }).details).toEqual({ missing_permissions: ["roles:write"] });
      }
      const after = await userRow(t, manager.userId);
      expect([after?.email, after?.status, after?.deleted_at]).toEqual([before?.email, before?.status, null]);
      // A super_admin holds everything, so the same change is theirs to make.
      const bySuper = await send(t, "PUT", `${BASE}/${manager.userId}`, superAdmin.accessToken, { full_name: "M" });
      expect(bySuper.status).toBe(200);
    });
  });

  describe("PUT /{id}", () => {
    it("refuses every forbidden or unknown field with 400 and changes nothing (mass assignment)", async () => {
      const target = await signedInWith(t, null, "target");
      const before = await userRow(t, target.userId);
      for (const field of [
        { password_hash: "$argon2id$v=19$m=1,t=1,p=1$AAAA$AAAA" },
        { id: "00000000-0000-4000-8000-000000000000" },
        { roles: ["super_admin"] },
        { deleted_at: null },
        { status: "active" },
        { email_verified_at: "2020-01-01T00:00:00Z" },
      ]) {
        const response = await send(t, "PUT", `${BASE}/${target.userId}`, admin.accessToken, {
          full_name: "Changed",
          ...field,
        });
        expect(response.status, JSON.stringify(field)).toBe(400);
        expect(errorCode(response.body)).toBe("VALIDATION_ERROR");
      }
      expect(await userRow(t, target.userId)).toEqual(before);
      const roles = await t.query(
        sql`SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = ${target.userId} AND r.name = 'super_admin'`,
      );
      expect(roles).toEqual([]);
    });

    // The email is set at once only by a holder of users:write_email (super_admin here).
    it("updates the allowed fields and audits { field: { old, new } } of each change", async () => {
      const target = await signedInWith(t, null, "target");
      const newEmail = `moved_${target.email}`;
      const response = await send(t, "PUT", `${BASE}/${target.userId}`, superAdmin.accessToken, {
        email: newEmail.toUpperCase(),
        organization: "ACME",
        phone_number: "+1 555 0100",
      });
      expect(response.status).toBe(200);
      expect(response.body.data).toMatchObject({
        email: newEmail,
        organization: "ACME",
        phone_number: "+1 555 0100",
        pending_email: null,
      });
      const [audit] = await auditRows(t, "user.update", target.userId);
      expect(audit?.user_id).toBe(superAdmin.userId);
      expect(audit?.details).toEqual({
        changes: {
          email: { old: target.email, new: newEmail },
          organization: { old: null, new: "ACME" },
          phone_number: { old: null, new: "+1 555 0100" },
        },
      });
      expect(JSON.stringify(audit?.details)).not.toContain("argon2");
    });

    // Regression, "one clock": an administrator's update stamped updated_at with the database's
    // now(), self-service with the application's Clock. Both now take the application's.
    it("stamps updated_at with the application's clock, like self-service", async () => {
      const target = await signedInWith(t, null, "clocked");
      const startedAt = Date.now();
      t.clock.advance(120);
      try {
        const response = await send(t, "PUT", `${BASE}/${target.userId}`, admin.accessToken, { department: "Ops" });
        expect(response.status).toBe(200);
        const stamped = new Date((response.body.data as { updated_at: string }).updated_at).getTime();
        expect(stamped - startedAt).toBeGreaterThanOrEqual(119_000);
      } finally {
        t.clock.advance(-120);
      }
    });

    it("answers 409 for a username or email another user holds", async () => {
      const target = await signedInWith(t, null, "target");
      const other = await signedInWith(t, null, "other");
      const taken = await send(t, "PUT", `${BASE}/${target.userId}`, admin.accessToken, { username: other.username });
      expect(taken.status).toBe(409);
      expect(errorCode(taken.body)).toBe("DUPLICATE_USERNAME");
      expect(await auditRows(t, "user.update", target.userId)).toEqual([]);
    });

    it("is_active=false deactivates and ends the user's sessions on the next request", async () => {
      const target = await signedInWith(t, null, "target");
      expect((await get(t, "/api/v1/auth/me", target.accessToken)).status).toBe(200);
      const response = await send(t, "PUT", `${BASE}/${target.userId}`, admin.accessToken, { is_active: false });
      expect(response.body.data).toMatchObject({ status: "deactivated", is_active: false });
      expect((await get(t, "/api/v1/auth/me", target.accessToken)).status).toBe(401);
      const [audit] = await auditRows(t, "user.deactivate", target.userId);
      expect(audit?.details).toEqual({ changes: { status: { old: "active", new: "deactivated" } } });
    });
  });

  describe("status lifecycle", () => {
    it("suspension stores the reason and takes effect on the user's next request (admin routes too)", async () => {
      const target = await signedInWith(t, "admin", "suspended_admin");
      // Warm the permission cache so the test proves the suspension invalidates it.
      expect((await get(t, BASE, target.accessToken)).status).toBe(200);
      const response = await post(
        t,
        `${BASE}/${target.userId}/suspend`,
        { reason: " Policy violation " },
        admin.accessToken,
      );
      expect(response.status).toBe(200);
      expect(response.body.data).toMatchObject({
        status: "suspended",
        status_reason: "Policy violation",
        is_active: false,
      });
      expect((await get(t, BASE, target.accessToken)).status).toBe(401);
      expect((await get(t, "/api/v1/auth/me", target.accessToken)).status).toBe(401);
      const login = await post(t, "/api/v1/auth/login", { email: target.email, password: target.password });
      expect(errorCode(login.body)).toBe("ACCOUNT_SUSPENDED");
      const refresh = await post(t, "/api/v1/auth/refresh", { refresh_token: target.refreshToken });
      expect(refresh.status).toBe(401);
      const [audit] = await auditRows(t, "user.suspend", target.userId);
      expect(audit?.details).toMatchObject({
        changes: { status: { old: "active", new: "suspended" }, status_reason: { old: null, new: "Policy violation" } },
      });

      const again = await post(t, `${BASE}/${target.userId}/suspend`, { reason: "again" }, admin.accessToken);
      expect(errorCode(again.body)).toBe("INVALID_STATUS_TRANSITION");
      const back = await post(t, `${BASE}/${target.userId}/reactivate`, undefined, admin.accessToken);
      expect(back.body.data).toMatchObject({ status: "active", status_reason: null });
      expect(await auditRows(t, "user.reactivate", target.userId)).toHaveLength(1);
      await logIn(t, target);
    });

    it("approves only pending_approval users", async () => {
      const target = await signedInWith(t, null, "waiting");
      const early = await post(t, `${BASE}/${target.userId}/approve`, undefined, admin.accessToken);
      expect(early.status).toBe(422);
      expect(errorCode(early.body)).toBe("INVALID_STATUS_TRANSITION");
      await t.query(sql`UPDATE users SET status = 'pending_approval' WHERE id = ${target.userId}`);
      const approved = await post(t, `${BASE}/${target.userId}/approve`, undefined, admin.accessToken);
      expect(approved.body.data).toMatchObject({ status: "active" });
      const [audit] = await auditRows(t, "user.approve", target.userId);
      expect(audit?.details).toMatchObject({ changes: { status: { old: "pending_approval", new: "active" } } });
      const reactivate = await post(t, `${BASE}/${target.userId}/reactivate`, undefined, admin.accessToken);
      expect(errorCode(reactivate.body)).toBe("INVALID_STATUS_TRANSITION");
    });

    it("a failed transaction leaves neither the change nor its audit row", async () => {
      const target = await signedInWith(t, null, "rollback");
      await t.query(
        sql.raw(`CREATE OR REPLACE FUNCTION gh_test_fail_audit() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION 'injected audit failure'; END $$ LANGUAGE plpgsql`),
      );
      await t.query(
        sql.raw(`CREATE TRIGGER gh_test_fail_audit BEFORE INSERT ON audit_logs FOR EACH ROW
        WHEN (NEW.resource_id = '${target.userId}') EXECUTE FUNCTION gh_test_fail_audit()`),
      );
      try {
        const suspend = await post(t, `${BASE}/${target.userId}/suspend`, { reason: "x" }, admin.accessToken);
        expect(suspend.status).toBe(500);
        const update = await send(t, "PUT", `${BASE}/${target.userId}`, admin.accessToken, { full_name: "Nope" });
        expect(update.status).toBe(500);
        const remove = await send(t, "DELETE", `${BASE}/${target.userId}`, admin.accessToken);
        expect(remove.status).toBe(500);
      } finally {
        await t.query(sql.raw("DROP TRIGGER gh_test_fail_audit ON audit_logs"));
      }
      expect(await userRow(t, target.userId)).toMatchObject({ status: "active", full_name: null, deleted_at: null });
      expect(
        await t.query(sql`SELECT 1 FROM audit_logs WHERE resource_id = ${target.userId} AND action LIKE 'user.%'`),
      ).toEqual([]);
      expect((await get(t, "/api/v1/auth/me", target.accessToken)).status).toBe(200);
    });
  });

  describe("DELETE /{id}, restore and permanent delete", () => {
    it("soft-deletes: the user's token fails on the next request; GET shows the deletion; no second delete", async () => {
      const target = await signedInWith(t, null, "doomed");
      expect((await get(t, "/api/v1/auth/me", target.accessToken)).status).toBe(200);
      expect((await send(t, "DELETE", `${BASE}/${target.userId}`, admin.accessToken)).status).toBe(200);
      expect((await get(t, "/api/v1/auth/me", target.accessToken)).status).toBe(401);
      const shown = await get(t, `${BASE}/${target.userId}`, admin.accessToken);
      expect(shown.body.data).toMatchObject({ is_deleted: true, deleted_by: admin.userId });
      expect((shown.body.data as { deleted_at: string | null }).deleted_at).not.toBeNull();
      const listed = await get(t, `${BASE}?search=${target.username}`, admin.accessToken);
      expect((listed.body.data as { items: unknown[] }).items).toEqual([]);
      const withDeleted = await get(t, `${BASE}?search=${target.username}&include_deleted=true`, admin.accessToken);
      expect((withDeleted.body.data as { items: unknown[] }).items).toHaveLength(1);
      const twice = await send(t, "DELETE", `${BASE}/${target.userId}`, admin.accessToken);
      expect(errorCode(twice.body)).toBe("USER_ALREADY_DELETED");
      const [audit] = await auditRows(t, "user.delete", target.userId);
      expect(audit?.details).toMatchObject({ changes: { deleted_at: { old: null } }, sessions_revoked: 1 });
    });

    it("refuses deleting yourself, and a super_admin unless you are one", async () => {
      const self = await send(t, "DELETE", `${BASE}/${admin.userId}`, admin.accessToken);
      expect(self.status).toBe(422);
      expect(errorCode(self.body)).toBe("CANNOT_DELETE_SELF");
      const root = await send(t, "DELETE", `${BASE}/${superAdmin.userId}`, admin.accessToken);
      expect(root.status).toBe(403);
      expect(errorCode(root.body)).toBe("SUPER_ADMIN_REQUIRED");
      const [refusal] = await auditRows(t, "user.delete", superAdmin.userId);
      expect(refusal).toMatchObject({
        user_id: admin.userId,
        status: "failure",
        details: { refused: "SUPER_ADMIN_REQUIRED" },
      });
      expect((await get(t, `${BASE}/00000000-0000-4000-8000-000000000000`, admin.accessToken)).status).toBe(404);
    });

    it("restores a deleted user, refuses a live one, and answers 409 when the username was taken meanwhile", async () => {
      const target = await signedInWith(t, null, "phoenix");
      expect(errorCode((await post(t, `${BASE}/${target.userId}/restore`, undefined, admin.accessToken)).body)).toBe(
        "USER_NOT_DELETED",
      );
      await send(t, "DELETE", `${BASE}/${target.userId}`, admin.accessToken);
      const restored = await post(t, `${BASE}/${target.userId}/restore`, undefined, admin.accessToken);
      expect(restored.status).toBe(200);
      expect(restored.body.data).toMatchObject({ id: target.userId, is_deleted: false, deleted_at: null });
      expect(await auditRows(t, "user.restore", target.userId)).toHaveLength(1);
      await logIn(t, target);

      await send(t, "DELETE", `${BASE}/${target.userId}`, admin.accessToken);
      await registerAndLogIn(t, { ...uniqueUser(), username: target.username });
      const clash = await post(t, `${BASE}/${target.userId}/restore`, undefined, admin.accessToken);
      expect(clash.status).toBe(409);
      expect(errorCode(clash.body)).toBe("DUPLICATE_USERNAME");
    });

    // Regression: restore ignored purged_at and revived an anonymised, password-less account.
    it("refuses to restore a purged user", async () => {
      const target = await signedInWith(t, null, "ghost");
      expect((await send(t, "DELETE", `${BASE}/${target.userId}`, admin.accessToken)).status).toBe(200);
      await t.query(sql`UPDATE users SET purged_at = now() WHERE id = ${target.userId}`);
      const restored = await post(t, `${BASE}/${target.userId}/restore`, undefined, admin.accessToken);
      expect(restored.status).toBe(422);
      expect(errorCode(restored.body)).toBe("INVALID_STATUS_TRANSITION");
      expect((await userRow(t, target.userId))?.deleted_at).not.toBeNull();
    });

    it("permanent delete needs super_admin and the username as confirmation; audit keeps the id", async () => {
      const target = await signedInWith(t, "admin", "purged");
      // The purged user acted once, so the trail holds its id as an actor too.
      await get(t, `${BASE}/statistics`, target.accessToken);
      await send(t, "PUT", `${BASE}/${admin.userId}`, target.accessToken, { department: "Ops" });
      const byAdmin = await send(
        t,
        "DELETE",
        `${BASE}/${target.userId}/permanent?confirm=${target.username}`,
        admin.accessToken,
      );
      expect(errorCode(byAdmin.body)).toBe("SUPER_ADMIN_REQUIRED");
      const missing = await send(t, "DELETE", `${BASE}/${target.userId}/permanent`, superAdmin.accessToken);
      expect(errorCode(missing.body)).toBe("VALIDATION_ERROR");
      const wrong = await send(
        t,
        "DELETE",
        `${BASE}/${target.userId}/permanent?confirm=someone`,
        superAdmin.accessToken,
      );
      expect(wrong.status).toBe(422);
      expect(errorCode(wrong.body)).toBe("CONFIRMATION_MISMATCH");
      const done = await send(
        t,
        "DELETE",
        `${BASE}/${target.userId}/permanent?confirm=${target.username}`,
        superAdmin.accessToken,
      );
      expect(done.status).toBe(200);
      expect(await userRow(t, target.userId)).toBeUndefined();
      expect((await get(t, "/api/v1/auth/me", target.accessToken)).status).toBe(401);
      expect((await auditRows(t, "user.permanent_delete", target.userId))[0]?.user_id).toBe(superAdmin.userId);
      const asActor = await t.query(
        sql`SELECT 1 FROM audit_logs WHERE user_id = ${target.userId} AND action = 'user.update'`,
      );
      expect(asActor).toHaveLength(1);
    });
  });

  describe("GET /api/v1/admin/audit-logs", () => {
    it("filters by action, resource and actor, newest first, with the actor's username", async () => {
      const target = await signedInWith(t, null, "audited");
      await send(t, "PUT", `${BASE}/${target.userId}`, admin.accessToken, { department: "One" });
      await send(t, "PUT", `${BASE}/${target.userId}`, admin.accessToken, { department: "Two" });
      const response = await get(
        t,
        `/api/v1/admin/audit-logs?action=user.update&resource_id=${target.userId}&user_id=${admin.userId}&status=success&resource_type=user&per_page=10`,
        admin.accessToken,
      );
      expect(response.status).toBe(200);
      const data = response.body.data as {
        items: Array<{ username: string; details: { changes: { department: { new: string } } }; request_id: string }>;
        pagination: Json;
      };
      expect(data.pagination).toEqual({ page: 1, per_page: 10, total_items: 2, total_pages: 1 });
      expect(data.items.map((item) => item.details.changes.department.new)).toEqual(["Two", "One"]);
      expect(data.items[0]?.username).toBe(admin.username);
      const future = await get(t, `/api/v1/admin/audit-logs?from=2999-01-01T00:00:00Z`, admin.accessToken);
      expect((future.body.data as { items: unknown[] }).items).toEqual([]);
      for (const query of ["page=0", "per_page=101", "user_id=nope", "status=maybe", "from=yesterday"]) {
        expect((await get(t, `/api/v1/admin/audit-logs?${query}`, admin.accessToken)).status, query).toBe(400);
      }
      const plain = await signedInWith(t, null);
      expect(errorCode((await get(t, "/api/v1/admin/audit-logs", plain.accessToken)).body)).toBe(
        "INSUFFICIENT_PERMISSIONS",
      );
    });
  });
});
