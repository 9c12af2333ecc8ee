import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsoleClient, consoleAs } from "./pages-admin-inject.js";
import type { Session } from "./support/http.js";
import { send } from "./support/http.js";
import { BOOTSTRAP_ENV, logInRoot, must, roleWith, userWithRoles } from "./support/rbac.js";
import { startTestServer, type TestServer } from "./support/test-server.js";

interface RoleRow {
  id: string;
  name: string;
  description: string | null;
  user_count: number;
}

// The console's role forms over inject against the real composition: each one's success, and
// its refusals shown with the catalogue's text while nothing changes.
describe("admin console: creating, renaming and deleting roles", () => {
  let t: TestServer;
  let root: Session;
  let operator: ConsoleClient;
  beforeAll(async () => {
    t = await startTestServer(BOOTSTRAP_ENV);
    root = await logInRoot(t);
    operator = consoleAs(t, root.refreshToken);
  });
  afterAll(async () => {
    await t.close();
  });

  const fresh = () => `r_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const roles = () => must<RoleRow[]>(send(t, "GET", "/api/v1/admin/roles", undefined, root.accessToken));
  const named = async (name: string) => (await roles()).find((role) => role.name === name);
  const from = "/admin/roles";

  it("creates a role from /admin/roles; a bad or taken name is shown and creates nothing", async () => {
    const name = fresh();
    const created = await operator.post("/admin/roles", { name, description: "Answers tickets" }, { from });
    expect([created.statusCode, created.headers.location]).toEqual([303, "/admin/roles?notice=role_created"]);
    expect(await named(name)).toMatchObject({ description: "Answers tickets", user_count: 0 });
    const listed = await operator.open("/admin/roles?notice=role_created");
    expect(listed.body).toContain("The role was created.");
    expect(listed.body).toContain(`href="/admin/roles/${(await named(name))?.id}/edit"`);

    const before = (await roles()).length;
    const invalid = await operator.post("/admin/roles", { name: "Not Valid", description: "" }, { from });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.body).toContain('<a href="#name">Name must be 2-50 characters');
    expect(invalid.body).toContain('value="Not Valid"');
    const taken = await operator.post("/admin/roles", { name, description: "" }, { from });
    expect(taken.statusCode).toBe(409);
    expect(taken.body).toContain("A role with that name already exists.");
    expect((await roles()).length).toBe(before);
  });

  it("refuses a post without the form's CSRF token, and an operator without roles:write", async () => {
    const name = fresh();
    const forged = await operator.post("/admin/roles", { name }, { from, csrf: false });
    expect(forged.statusCode).toBe(403);
    expect(forged.body).toContain("This form has expired or was not sent from this site.");
    const reader = await userWithRoles(t, root, [await roleWith(t, root, ["roles:read"])]);
    const denied = await consoleAs(t, reader.refreshToken).post("/admin/roles", { name }, { from });
    expect(denied.statusCode).toBe(403);
    expect(denied.body).toContain("You do not have the permission this page or action needs.");
    expect(await named(name)).toBeUndefined();
  });

  it("renames and re-describes a role; a taken name and a built-in role are refused and change nothing", async () => {
    const first = fresh();
    const second = fresh();
    const id = await roleWith(t, root, []);
    const other = await roleWith(t, root, []);
    const edit = await operator.open(`/admin/roles/${id}/edit`);
    expect(edit.status).toBe(200);
    expect(edit.body).toContain(`action="/admin/roles/${id}"`);
    const saved = await operator.post(`/admin/roles/${id}`, { name: first, description: "Renamed" }, { from });
    expect([saved.statusCode, saved.headers.location]).toEqual([303, "/admin/roles?notice=role_updated"]);
    expect(await named(first)).toMatchObject({ id, description: "Renamed" });

    const otherName = (await roles()).find((role) => role.id === other)?.name ?? "";
    const taken = await operator.post(`/admin/roles/${id}`, { name: otherName, description: "" }, { from });
    expect(taken.statusCode).toBe(409);
    expect(taken.body).toContain("A role with that name already exists.");
    expect(taken.body).toContain(`value="${otherName}"`);
    const invalid = await operator.post(`/admin/roles/${id}`, { name: "x", description: "" }, { from });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.body).toContain("Name must be 2-50 characters");
    expect(await named(first)).toMatchObject({ id, description: "Renamed" });

    const admin = (await named("admin")) as RoleRow;
    expect((await operator.open(`/admin/roles/${admin.id}/edit`)).body).toContain("is a built-in role");
    const system = await operator.post(`/admin/roles/${admin.id}`, { name: second, description: "" }, { from });
    expect(system.statusCode).toBe(422);
    expect(system.body).toContain("Built-in roles cannot be renamed or changed.");
    expect(await named("admin")).toMatchObject({ id: admin.id });
    expect(await named(second)).toBeUndefined();
  });

  it("deletes a role after its confirmation page; a held role needs the box, a built-in one is refused", async () => {
    const id = await roleWith(t, root, []);
    await userWithRoles(t, root, [id]);
    const confirm = await operator.open(`/admin/roles/${id}/delete`);
    expect(confirm.status).toBe(200);
    expect(confirm.body).toContain(`action="/admin/roles/${id}/delete"`);
    expect(confirm.body).toContain("Also remove it from the 1 user who holds it");

    const held = await operator.post(`/admin/roles/${id}/delete`, {}, { from });
    expect(held.statusCode).toBe(409);
    expect(held.body).toContain("Users still hold this role.");
    expect((await roles()).some((role) => role.id === id)).toBe(true);
    const deleted = await operator.post(`/admin/roles/${id}/delete`, { force: "true" }, { from });
    expect([deleted.statusCode, deleted.headers.location]).toEqual([303, "/admin/roles?notice=role_deleted"]);
    expect((await roles()).some((role) => role.id === id)).toBe(false);
    expect((await operator.open(`/admin/roles/${id}/delete`)).status).toBe(404);

    const user = (await named("user")) as RoleRow;
    const system = await operator.post(`/admin/roles/${user.id}/delete`, { force: "true" }, { from });
    expect(system.statusCode).toBe(422);
    expect(system.body).toContain("Built-in roles cannot be deleted.");
    expect(await named("user")).toMatchObject({ id: user.id });
  });

  it("deleting needs roles:delete, as DELETE /api/v1/admin/roles/{id} does", async () => {
    const id = await roleWith(t, root, []);
    const writer = await userWithRoles(t, root, [await roleWith(t, root, ["roles:read", "roles:write"])]);
    const denied = await consoleAs(t, writer.refreshToken).post(`/admin/roles/${id}/delete`, {}, { from });
    expect(denied.statusCode).toBe(403);
    expect((await roles()).some((role) => role.id === id)).toBe(true);
  });
});
