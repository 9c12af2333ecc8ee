import { describe, expect, it } from "vitest";
import { isActive, permissionsOf, type RoleGrant } from "./user.js";

describe("permissionsOf", () => {
  it("is empty without roles", () => {
    expect(permissionsOf([])).toEqual([]);
  });

  it("unions the permissions of every role, without duplicates, sorted", () => {
    const roles: RoleGrant[] = [
      { id: "r1", name: "user", permissions: ["users:read", "audit:read"] },
      { id: "r2", name: "admin", permissions: ["users:write", "users:read", "roles:read"] },
      { id: "r3", name: "empty", permissions: [] },
    ];
    expect(permissionsOf(roles)).toEqual(["audit:read", "roles:read", "users:read", "users:write"]);
  });

  it("does not modify the roles it was given", () => {
    const permissions = ["users:write", "audit:read"];
    permissionsOf([{ id: "r1", name: "x", permissions }]);
    expect(permissions).toEqual(["users:write", "audit:read"]);
  });
});

describe("isActive", () => {
  it("is true for an active, live user", () => {
    expect(isActive({ status: "active", deletedAt: null })).toBe(true);
  });

  it("is false for a soft-deleted active user", () => {
    expect(isActive({ status: "active", deletedAt: new Date("2024-01-01T00:00:00Z") })).toBe(false);
  });

  it.each(["pending_verification", "pending_approval", "suspended", "deactivated"] as const)(
    "is false for status %s",
    (status) => {
      expect(isActive({ status, deletedAt: null })).toBe(false);
    },
  );
});
