import { describe, expect, it } from "vitest";
import { checkDescription, checkPermissionName, checkRoleName, Permissions, SystemRoles } from "./role.js";

describe("roles and permissions catalogue", () => {
  it("names the three system roles", () => {
    expect(SystemRoles).toEqual({ superAdmin: "super_admin", admin: "admin", user: "user" });
  });

  it("has unique permissions named resource:action", () => {
    expect(new Set(Permissions).size).toBe(Permissions.length);
    // The rule every permission name obeys (checkPermissionName): `users:write_email` has a '_'.
    for (const permission of Permissions) expect(checkPermissionName(permission)).toBeUndefined();
  });
});

describe("role and permission names", () => {
  it("accepts lower-case role names of 2-50 characters and refuses everything else", () => {
    for (const good of ["ab", "support_agent", "l2", "a".repeat(50)]) expect(checkRoleName(good)).toBeUndefined();
    for (const bad of ["a", "Support", "with space", "dash-ed", "a".repeat(51), "", "ünicode"]) {
      expect(checkRoleName(bad), bad).toEqual({ field: "name", message: expect.any(String) });
    }
  });

  it("accepts lower-case resource:action permission names only", () => {
    for (const good of [...Permissions, "reports:export", "billing_v2:read"]) {
      expect(checkPermissionName(good), good).toBeUndefined();
    }
    for (const bad of ["users", "Users:read", "users:", ":read", "users:read:all", "users read", "a:b c"]) {
      expect(checkPermissionName(bad), bad).toBeDefined();
    }
  });

  it("limits descriptions to 500 characters", () => {
    expect(checkDescription(null)).toBeUndefined();
    expect(checkDescription("x".repeat(500))).toBeUndefined();
    expect(checkDescription("x".repeat(501))).toBeDefined();
  });
});
