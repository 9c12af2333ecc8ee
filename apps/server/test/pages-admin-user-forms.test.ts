import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConsoleClient, consoleAs } from "./pages-admin-inject.js";
import type { Session } from "./support/http.js";
import { post, register, send } from "./support/http.js";
import { BOOTSTRAP_ENV, logInRoot, must, ROOT, roleWith, userWithRoles } from "./support/rbac.js";
import { startTestServer, type TestServer, uniqueUser } from "./support/test-server.js";

interface UserRow {
  id: string;
  username: string;
  email: string;
  full_name: string | null;
  phone_number: string | null;
  status: string;
  roles: string[];
}

// The console's user forms over inject against the real composition: creating a user as POST
// /api/v1/admin/users does, editing one as PUT /api/v1/admin/users/{id} does, and every
// refusal shown with the catalogue's text while nothing changes.
describe("admin console: creating and editing users", () => {
  let t: TestServer;
  let root: Session;
  let operator: ConsoleClient;
  // A lesser operator: may write users but holds neither super_admin nor users:write_email.
  let lesser: ConsoleClient;
  // The list page has no post form, so no token: every form is posted from the new-user page.
  const from = "/admin/users/new";
  beforeAll(async () => {
    t = await startTestServer(BOOTSTRAP_ENV);
    root = await logInRoot(t);
    operator = consoleAs(t, root.refreshToken);
    const writer = await userWithRoles(t, root, [await roleWith(t, root, ["users:read", "users:write"])]);
    lesser = consoleAs(t, writer.refreshToken);
  });
  afterAll(async () => {
    await t.close();
  });

  const userOf = (id: string) =>
    must<UserRow>(send(t, "GET", `/api/v1/admin/users/${id}`, undefined, root.accessToken));
  const matching = async (search: string) =>
    (
      await must<{ items: unknown[] }>(
        send(t, "GET", `/api/v1/admin/users?search=${search}&include_deleted=true`, undefined, root.accessToken),
      )
    ).items.length;
  const fields = (user: { username: string; email: string }, extra: Record<string, string> = {}) => ({
    username: user.username,
    email: user.email,
    full_name: "",
    phone_number: "",
    organization: "",
    department: "",
    status: "active",
    role: "user",
    ...extra,
  });

  it("creates a user without a password, in the chosen status and role, and opens their page", async () => {
    const form = await operator.open("/admin/users/new");
    expect(form.status).toBe(200);
    expect(form.body).toContain('action="/admin/users"');
    expect(form.body).not.toContain('type="password"');
    expect((await operator.open("/admin/users")).body).toContain('href="/admin/users/new"');
    const role = await roleWith(t, root, ["users:read"]);
    const roleName = (
      await must<Array<{ id: string; name: string }>>(
        send(t, "GET", "/api/v1/admin/roles", undefined, root.accessToken),
      )
    ).find((item) => item.id === role)?.name as string;
    const user = uniqueUser("made");
    const created = await operator.post(
      "/admin/users",
      fields(user, { full_name: " Ada Lovelace ", status: "pending_approval", role: roleName }),
      { from },
    );
    expect(created.statusCode).toBe(303);
    const location = created.headers.location as string;
    expect(location).toMatch(/^\/admin\/users\/[0-9a-f-]{36}\?notice=user_created$/);
    const id = location.slice("/admin/users/".length, location.indexOf("?"));
    expect(await userOf(id)).toMatchObject({
      username: user.username,
      email: user.email,
      full_name: "Ada Lovelace",
      status: "pending_approval",
      roles: [roleName],
    });
    expect((await operator.open(location)).body).toContain("The user was created without a password");
    // No password was set, so none signs in.
    const login = await post(t, "/api/v1/auth/login", { email: user.email, password: user.password });
    expect(login.status).toBe(401);
  });

  it("shows invalid input, a taken email or username and a role beyond the operator's, creating nothing", async () => {
    const taken = uniqueUser("taken");
    await register(t, taken);
    const user = uniqueUser("refused");
    const invalid = await operator.post("/admin/users", fields(user, { email: "not-an-email" }), { from });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.body).toContain('<a href="#email">Email address');
    expect(invalid.body).toContain(`value="${user.username}"`);
    const email = await operator.post("/admin/users", fields({ ...user, email: taken.email }), { from });
    expect(email.statusCode).toBe(409);
    expect(email.body).toContain("An account with this email address already exists.");
    const username = await operator.post("/admin/users", fields({ ...user, username: taken.username }), { from });
    expect(username.statusCode).toBe(409);
    expect(username.body).toContain("That username is taken.");
    const escalation = await lesser.post("/admin/users", fields(user, { role: "super_admin" }), { from });
    expect(escalation.statusCode).toBe(403);
    expect(escalation.body).toContain("You cannot grant or remove a permission you do not hold yourself.");
    expect(await matching(user.username)).toBe(0);
  });

  it("refuses a create or an edit without the CSRF token or without users:write", async () => {
    const user = uniqueUser("guarded");
    const forged = await operator.post("/admin/users", fields(user), { from, csrf: false });
    expect(forged.statusCode).toBe(403);
    expect(forged.body).toContain("This form has expired or was not sent from this site.");
    const reader = await userWithRoles(t, root, [await roleWith(t, root, ["users:read"])]);
    const readOnly = consoleAs(t, reader.refreshToken);
    const denied = await readOnly.post("/admin/users", fields(user), { from });
    expect(denied.statusCode).toBe(403);
    expect(denied.body).toContain("You do not have the permission this page or action needs.");
    expect(await matching(user.username)).toBe(0);

    const target = uniqueUser("target");
    const id = await register(t, target);
    const edit = fields(target, { full_name: "Changed" });
    expect((await operator.post(`/admin/users/${id}`, edit, { from, csrf: false })).statusCode).toBe(403);
    expect((await readOnly.post(`/admin/users/${id}`, edit, { from })).statusCode).toBe(403);
    expect((await userOf(id)).full_name).toBeNull();
  });

  it("edits a user's details; invalid input, a taken username and a super_admin target change nothing", async () => {
    const target = uniqueUser("edited");
    const id = await register(t, target);
    const page = await operator.open(`/admin/users/${id}`);
    expect(page.body).toContain(`action="/admin/users/${id}"`);
    expect(page.body).toContain(`id="username" name="username" type="text"`);
    const saved = await operator.post(
      `/admin/users/${id}`,
      fields(target, { full_name: "Grace Hopper", phone_number: "+44 20 7946 0000" }),
      { from },
    );
    expect([saved.statusCode, saved.headers.location]).toEqual([303, `/admin/users/${id}?notice=user_updated`]);
    expect(await userOf(id)).toMatchObject({ full_name: "Grace Hopper", phone_number: "+44 20 7946 0000" });
    expect((await operator.open(`/admin/users/${id}?notice=user_updated`)).body).toContain('value="Grace Hopper"');

    const invalid = await operator.post(`/admin/users/${id}`, fields(target, { phone_number: "call me" }), { from });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.body).toContain('<a href="#phone_number">Phone number must be a phone number');
    expect(invalid.body).toContain('value="call me"');
    const other = uniqueUser("other");
    await register(t, other);
    const taken = await operator.post(`/admin/users/${id}`, fields({ ...target, username: other.username }), { from });
    expect(taken.statusCode).toBe(409);
    expect(taken.body).toContain("That username is taken.");
    expect(await userOf(id)).toMatchObject({ username: target.username, phone_number: "+44 20 7946 0000" });

    const rootId = root.userId;
    const rank = await lesser.post(`/admin/users/${rootId}`, fields(ROOT, { full_name: "Demoted" }), { from });
    expect(rank.statusCode).toBe(403);
    expect(rank.body).toContain("Only a super administrator can do that.");
    expect((await userOf(rootId)).full_name).not.toBe("Demoted");
  });

  it("sets a new email at once for a super_admin, and as a pending change for a lesser operator", async () => {
    const target = uniqueUser("mail");
    const id = await register(t, target);
    const lesserEmail = `pending-${target.email}`;
    const pending = await lesser.post(`/admin/users/${id}`, fields({ ...target, email: lesserEmail }), { from });
    expect([pending.statusCode, pending.headers.location]).toEqual([
      303,
      `/admin/users/${id}?notice=user_email_pending`,
    ]);
    expect((await userOf(id)).email).toBe(target.email);
    const direct = `direct-${target.email}`;
    const set = await operator.post(`/admin/users/${id}`, fields({ ...target, email: direct }), { from });
    expect([set.statusCode, set.headers.location]).toEqual([303, `/admin/users/${id}?notice=user_updated`]);
    expect((await userOf(id)).email).toBe(direct);
  });
});
