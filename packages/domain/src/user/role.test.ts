import { describe, expect, it } from "vitest";
import { Permissions, SystemRoles } from "./role.js";

describe("roles and permissions catalogue", () => {
  it("names the three system roles", () => {
    expect(SystemRoles).toEqual({ superAdmin: "super_admin", admin: "admin", user: "user" });
  });

  it("has unique permissions named resource:action", () => {
    expect(new Set(Permissions).size).toBe(Permissions.length);
    for (const permission of Permissions) expect(permission).toMatch(/^[a-z]+:[a-z]+$/);
  });
});
