import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { errorCode, registerAndLogIn, type Session, send } from "./support/http.js";
import { BOOTSTRAP_ENV, logInRoot, roleWith, userWithRoles } from "./support/rbac.js";
import { startTestServer, uniqueUser } from "./support/test-server.js";

type Route = { readonly method: string; readonly url: string; readonly permission: string | undefined };
type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

const ADMIN_PREFIX = "/api/v1/admin/";

/** Admin routes from a route table (implicit HEAD/OPTIONS left out). */
function adminRoutes(table: readonly Route[]): Route[] {
  return table.filter(
    (route) => route.url.startsWith(ADMIN_PREFIX) && route.method !== "HEAD" && route.method !== "OPTIONS",
  );
}

/** Admin routes that would be reachable without any permission check: must be none. */
function undeclaredAdminRoutes(table: readonly Route[]): string[] {
  return adminRoutes(table)
    .filter((route) => route.permission === undefined || route.permission === "")
    .map((route) => `${route.method} ${route.url}`);
}

/** A concrete URL for a route pattern: every path parameter becomes a fresh UUID. */
function concrete(url: string): string {
  return url.replace(/:[A-Za-z_]+/g, () => randomUUID());
}

function callRoute(t: Awaited<ReturnType<typeof startTestServer>>, route: Route, token?: string) {
  const body = route.method === "POST" || route.method === "PUT" || route.method === "PATCH" ? {} : undefined;
  return send(t, route.method as Method, concrete(route.url), body, token);
}

// The whole matrix is generated from the app's own route table: every admin route any helper
// registers is covered without touching this file.
const t = await startTestServer(BOOTSTRAP_ENV);
const routes = adminRoutes(t.app.routeTable);
const permissions = [...new Set(routes.map((route) => route.permission).filter((p) => p !== undefined))].sort();

let root: Session;
let plain: Session;
const holders = new Map<string, Session>();
const ready = (async () => {
  root = await logInRoot(t);
  plain = await registerAndLogIn(t, uniqueUser("plain"));
  for (const permission of permissions) {
    holders.set(permission, await userWithRoles(t, root, [await roleWith(t, root, [permission])]));
  }
})();

afterAll(async () => {
  await t.close();
});

describe("admin route table", () => {
  it("has admin routes, and every one declares the permission it needs", () => {
    expect(routes.length).toBeGreaterThanOrEqual(10);
    expect(undeclaredAdminRoutes(t.app.routeTable)).toEqual([]);
  });

  it("flags an admin route added without a permission (the check above can fail)", () => {
    const table: Route[] = [
      { method: "GET", url: "/api/v1/admin/roles", permission: "roles:read" },
      { method: "POST", url: "/api/v1/admin/widgets", permission: undefined },
      { method: "GET", url: "/api/v1/auth/me", permission: undefined },
    ];
    expect(undeclaredAdminRoutes(table)).toEqual(["POST /api/v1/admin/widgets"]);
  });
});

describe.each(routes.map((route) => [`${route.method} ${route.url} (${route.permission})`, route] as const))(
  "permission matrix: %s",
  (_name, route) => {
    const required = route.permission as string;

    it("answers 401 to an anonymous caller", async () => {
      await ready;
      const response = await callRoute(t, route);
      expect(response.status).toBe(401);
      expect(errorCode(response.body)).toBe("UNAUTHORIZED");
    });

    it("answers 403 INSUFFICIENT_PERMISSIONS naming the permission to a plain user", async () => {
      await ready;
      const response = await callRoute(t, route, plain.accessToken);
      expect(response.status).toBe(403);
      expect(response.body.error).toMatchObject({
        code: "INSUFFICIENT_PERMISSIONS",
        details: { required_permission: required },
      });
    });

    it("refuses a holder of a different single permission", async () => {
      await ready;
      const other = permissions.find((permission) => permission !== required);
      const response = await callRoute(t, route, holders.get(other as string)?.accessToken);
      expect(response.status).toBe(403);
      expect(errorCode(response.body)).toBe("INSUFFICIENT_PERMISSIONS");
    });

    it("lets through a role holding exactly the permission, and a super_admin", async () => {
      await ready;
      for (const session of [holders.get(required), root]) {
        const response = await callRoute(t, route, session?.accessToken);
        expect(response.status, JSON.stringify(response.body)).not.toBe(401);
        expect(errorCode(response.body), JSON.stringify(response.body)).not.toBe("INSUFFICIENT_PERMISSIONS");
      }
    });
  },
);
