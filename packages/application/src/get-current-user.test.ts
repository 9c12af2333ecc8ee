import { DomainError } from "@gatehouse/domain";
import { describe, expect, it } from "vitest";
import { makeGetCurrentUser } from "./get-current-user.js";
import { caught, FakeClock, InMemoryDatabase } from "./testing/index.js";

function setup() {
  const db = new InMemoryDatabase(new FakeClock());
  const getCurrentUser = makeGetCurrentUser({ users: db.users });
  const user = db.seedUser({ email: "alice@example.com" }, ["user", "admin"]);
  return { db, getCurrentUser, user };
}

describe("getCurrentUser", () => {
  it("returns the user with roles and their permissions", async () => {
    const { getCurrentUser, user } = setup();
    const account = await getCurrentUser(user.id);
    expect(account.user).toEqual(user);
    expect(account.roles.map((role) => role.name)).toEqual(["user", "admin"]);
    expect(account.roles[1]?.permissions).toContain("users:write");
  });

  it("reads fresh: a change made after sign-in shows", async () => {
    const { db, getCurrentUser, user } = setup();
    db.updateUser(user.id, { fullName: "Alice Liddell" });
    expect((await getCurrentUser(user.id)).user.fullName).toBe("Alice Liddell");
  });

  it("fails with UNAUTHORIZED for an unknown user", async () => {
    const { getCurrentUser } = setup();
    const error = await caught(() => getCurrentUser("user-404"));
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("fails with UNAUTHORIZED for a soft-deleted user", async () => {
    const { db, getCurrentUser, user } = setup();
    db.updateUser(user.id, { deletedAt: new Date("2024-01-01T00:00:00Z") });
    await expect(getCurrentUser(user.id)).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it.each([
    ["suspended", "ACCOUNT_SUSPENDED"],
    ["deactivated", "ACCOUNT_DEACTIVATED"],
    ["pending_verification", "ACCOUNT_NOT_VERIFIED"],
    ["pending_approval", "ACCOUNT_PENDING_APPROVAL"],
  ] as const)("fails for a %s user with %s", async (status, code) => {
    const { db, getCurrentUser, user } = setup();
    db.updateUser(user.id, { status });
    const error = await caught(() => getCurrentUser(user.id));
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code });
  });
});
