import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import { errorCode, logIn, registerAndLogIn, type Session, send } from "./http.js";
import { type TestServer, uniqueUser } from "./test-server.js";

/** The bootstrap super_admin every RBAC test server starts with (BOOTSTRAP_ADMIN_*). */
export const ROOT = { email: "root@example.com", username: "root", password: "Quartz-Meadow-481" };
export const BOOTSTRAP_ENV = {
  BOOTSTRAP_ADMIN_EMAIL: ROOT.email,
  BOOTSTRAP_ADMIN_USERNAME: ROOT.username,
  BOOTSTRAP_ADMIN_PASSWORD: ROOT.password,
};

export function logInRoot(t: TestServer): Promise<Session> {
  return logIn(t, ROOT);
}

/** Performs an admin call that must succeed and returns its `data`. */
export async function must<T>(
  response: Promise<{ status: number; body: Record<string, unknown> }>,
  status = 200,
): Promise<T> {
  const { status: actual, body } = await response;
  expect(actual, JSON.stringify(body)).toBe(status);
  return body.data as T;
}

export async function permissionIds(t: TestServer, root: Session): Promise<Map<string, string>> {
  const list = await must<Array<{ id: string; name: string }>>(
    send(t, "GET", "/api/v1/admin/permissions", undefined, root.accessToken),
  );
  return new Map(list.map((permission) => [permission.name, permission.id]));
}

/** A new custom role granting exactly `permissions`, created by the super_admin. */
export async function roleWith(t: TestServer, root: Session, permissions: readonly string[]): Promise<string> {
  const name = `r_${randomUUID().replaceAll("-", "").slice(0, 20)}`;
  const role = await must<{ id: string }>(send(t, "POST", "/api/v1/admin/roles", { name }, root.accessToken), 201);
  if (permissions.length > 0) {
    const ids = await permissionIds(t, root);
    await must(
      send(
        t,
        "POST",
        `/api/v1/admin/roles/${role.id}/permissions`,
        { permission_ids: permissions.map((p) => ids.get(p)) },
        root.accessToken,
      ),
    );
  }
  return role.id;
}

/** A new user, signed in, holding the given roles on top of `user`. */
export async function userWithRoles(t: TestServer, root: Session, roleIds: readonly string[]): Promise<Session> {
  const session = await registerAndLogIn(t, uniqueUser("member"));
  if (roleIds.length > 0) {
    await must(send(t, "POST", `/api/v1/admin/users/${session.userId}/roles`, { role_ids: roleIds }, root.accessToken));
  }
  return session;
}

export { errorCode };
