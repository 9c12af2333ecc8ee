import { DomainError } from "@gatehouse/domain";
import { describe, expect, it } from "vitest";
import {
  caught,
  FakeClock,
  FakeOneTimeSecrets,
  FakePasswordHasher,
  InMemoryDatabase,
  LIFECYCLE_POLICY,
  PASSWORD_POLICY,
  requestContext,
} from "../testing/index.js";
import { makeRegisterUser, type RegisterUserInput } from "./register-user.js";

/** Verification off: these tests are about the registration itself (lifecycle.test.ts covers the rest). */
const NO_VERIFICATION = { ...LIFECYCLE_POLICY, requireEmailVerification: false };

function setup() {
  const clock = new FakeClock();
  const db = new InMemoryDatabase(clock);
  const hasher = new FakePasswordHasher();
  const registerUser = makeRegisterUser({
    uow: db.uow,
    hasher,
    clock,
    passwordPolicy: PASSWORD_POLICY,
    secrets: new FakeOneTimeSecrets(),
    policy: NO_VERIFICATION,
    newId: () => "fresh-id",
  });
  return { clock, db, hasher, registerUser };
}

const VALID: RegisterUserInput = {
  username: "alice_01",
  email: "alice@example.com",
  password: "Passw0rd!",
};

describe("registerUser", () => {
  it("creates an active user with a hashed password and the user role", async () => {
    const { db, hasher, registerUser, clock } = setup();
    const { user } = await registerUser(
      { ...VALID, fullName: "Alice Liddell", phoneNumber: "+44 20 7946-0958" },
      requestContext(clock),
    );

    expect(user).toMatchObject({
      username: "alice_01",
      email: "alice@example.com",
      passwordHash: FakePasswordHasher.hashOf("Passw0rd!"),
      fullName: "Alice Liddell",
      phoneNumber: "+44 20 7946-0958",
      status: "active",
      emailVerifiedAt: null,
    });
    expect(hasher.hashCalls).toEqual(["Passw0rd!"]);
    expect(db.storedUsers()).toEqual([expect.objectContaining({ user, roleNames: ["user"] })]);
    const account = await db.users.find(user.id);
    expect(account?.roles.map((role) => role.name)).toEqual(["user"]);
  });

  it("never stores the plain password", async () => {
    const { db, registerUser, clock } = setup();
    await registerUser(VALID, requestContext(clock));
    expect(JSON.stringify(db.allUsers())).not.toContain('"Passw0rd!"');
    expect(JSON.stringify(db.auditEntries())).not.toContain("Passw0rd!");
  });

  it("normalizes the email before validating and storing it", async () => {
    const { registerUser, clock } = setup();
    const { user } = await registerUser({ ...VALID, email: "  Alice@Example.COM " }, requestContext(clock));
    expect(user.email).toBe("alice@example.com");
  });

  it("stores absent optional fields as null and trims the full name", async () => {
    const { registerUser, clock } = setup();
    const { user: bare } = await registerUser(VALID, requestContext(clock));
    expect(bare.fullName).toBeNull();
    expect(bare.phoneNumber).toBeNull();

    const { user: trimmed } = await registerUser(
      { username: "bob", email: "bob@example.com", password: "Passw0rd!", fullName: "  Bob  ", phoneNumber: null },
      requestContext(clock),
    );
    expect(trimmed.fullName).toBe("Bob");
    expect(trimmed.phoneNumber).toBeNull();
  });

  it("reports every invalid field at once, in order, and writes nothing", async () => {
    const { db, hasher, registerUser, clock } = setup();
    const error = await caught(() =>
      registerUser(
        { username: "a b", email: "not-an-email", password: "short", fullName: "   ", phoneNumber: "call me" },
        requestContext(clock),
      ),
    );

    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: "VALIDATION_ERROR" });
    const details = (error as DomainError).details as Array<{ field: string; message: string }>;
    expect(details.map((issue) => issue.field)).toEqual(["username", "email", "password", "full_name", "phone_number"]);
    for (const issue of details) expect(issue.message).not.toBe("");

    expect(hasher.hashCalls).toEqual([]);
    expect(db.transactions).toEqual([]);
    expect(db.allUsers()).toEqual([]);
    expect(db.auditEntries()).toEqual([]);
  });

  it.each([
    ["username too short", { username: "ab" }, "username"],
    ["username with a bad character", { username: "al!ce" }, "username"],
    ["empty email", { email: "   " }, "email"],
    ["password built on the email's local part", { password: "Alice-2024!" }, "password"],
    ["full name over 100 characters", { fullName: "x".repeat(101) }, "full_name"],
    ["empty full name", { fullName: "" }, "full_name"],
    ["phone number too short", { phoneNumber: "123" }, "phone_number"],
    ["phone number with letters", { phoneNumber: "555-CALL-NOW" }, "phone_number"],
  ] satisfies Array<[string, Partial<RegisterUserInput>, string]>)("rejects a %s", async (_label, change, field) => {
    const { db, registerUser, clock } = setup();
    const error = await caught(() => registerUser({ ...VALID, ...change }, requestContext(clock)));
    expect(error).toMatchObject({ code: "VALIDATION_ERROR", details: [expect.objectContaining({ field })] });
    expect(db.allUsers()).toEqual([]);
  });

  it("applies the configured password policy", async () => {
    const clock = new FakeClock();
    const db = new InMemoryDatabase(clock);
    const registerUser = makeRegisterUser({
      uow: db.uow,
      hasher: new FakePasswordHasher(),
      clock,
      passwordPolicy: { minLength: 12, maxLength: 128 },
      secrets: new FakeOneTimeSecrets(),
      policy: NO_VERIFICATION,
      newId: () => "fresh-id",
    });
    const error = await caught(() => registerUser({ ...VALID, password: "Passw0rd123" }, requestContext(clock)));
    expect(error).toMatchObject({
      code: "VALIDATION_ERROR",
      details: [{ field: "password", message: "must be 12-128 characters" }],
    });
  });

  it("maps a duplicate email through, whatever its case, and writes no audit entry", async () => {
    const { db, registerUser, clock } = setup();
    await registerUser(VALID, requestContext(clock));
    const error = await caught(() =>
      registerUser({ ...VALID, username: "someone_else", email: "ALICE@example.com" }, requestContext(clock)),
    );
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: "DUPLICATE_EMAIL" });
    expect(db.allUsers()).toHaveLength(1);
    expect(db.auditEntries()).toHaveLength(1);
    expect(db.transactions.at(-1)?.outcome).toBe("rolled_back");
  });

  it("maps a duplicate username through", async () => {
    const { db, registerUser, clock } = setup();
    await registerUser(VALID, requestContext(clock));
    const error = await caught(() =>
      registerUser({ ...VALID, username: "ALICE_01", email: "other@example.com" }, requestContext(clock)),
    );
    expect(error).toMatchObject({ code: "DUPLICATE_USERNAME" });
    expect(db.allUsers()).toHaveLength(1);
  });

  it("writes an auth.register audit entry in the same unit of work as the user", async () => {
    const { db, registerUser, clock } = setup();
    const ctx = requestContext(clock, { requestId: "req-42", ipAddress: "198.51.100.1", userAgent: "curl/8" }, 25);
    const { user } = await registerUser(VALID, ctx);

    expect(db.transactions).toEqual([{ id: 1, outcome: "committed" }]);
    const [stored] = db.storedAuditEntries();
    expect(db.storedAuditEntries()).toHaveLength(1);
    expect(stored?.txId).toBe(1);
    expect(db.storedUsers()[0]?.txId).toBe(1);
    expect(stored?.entry).toEqual({
      action: "auth.register",
      userId: user.id,
      resourceType: "user",
      resourceId: user.id,
      status: "success",
      details: { status: "active" },
      ipAddress: "198.51.100.1",
      userAgent: "curl/8",
      requestId: "req-42",
      durationMs: 25,
      timestamp: clock.now(),
    });
  });

  it("rolls the user back when the audit entry cannot be written", async () => {
    const { db, registerUser, clock } = setup();
    const failure = new Error("audit store down");
    db.failNext("auditLog.append", failure);
    await expect(registerUser(VALID, requestContext(clock))).rejects.toBe(failure);
    expect(db.allUsers()).toEqual([]);
    expect(db.auditEntries()).toEqual([]);
    expect(db.transactions).toEqual([{ id: 1, outcome: "rolled_back" }]);
  });

  it("propagates an infrastructure failure unchanged", async () => {
    const { db, registerUser, clock } = setup();
    const failure = new Error("connection reset");
    db.failNext("users.create", failure);
    const error = await caught(() => registerUser(VALID, requestContext(clock)));
    expect(error).toBe(failure);
    expect(error).not.toBeInstanceOf(DomainError);
  });
});
