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

const ADA: RegisterUserInput = { username: "ada", email: "Ada@Example.com", password: "Passw0rd!" };

/** Registration with an identity backend whose foreign accounts hold `held` (IDENTITY_BACKEND=keycloak). */
function setup(options: { enumerationProtection: boolean; held?: readonly string[]; down?: boolean }) {
  const clock = new FakeClock();
  const db = new InMemoryDatabase(clock);
  const hasher = new FakePasswordHasher();
  const asked: string[] = [];
  const registerUser = makeRegisterUser({
    uow: db.uow,
    hasher,
    clock,
    passwordPolicy: PASSWORD_POLICY,
    secrets: new FakeOneTimeSecrets(),
    policy: { ...LIFECYCLE_POLICY, enumerationProtection: options.enumerationProtection },
    newId: () => "fresh-id",
    emailHeldElsewhere: async (email) => {
      asked.push(email);
      if (options.down === true) throw new DomainError("IDENTITY_BACKEND_UNAVAILABLE");
      return (options.held ?? []).includes(email);
    },
  });
  return { clock, db, hasher, asked, registerUser };
}

describe("registration with an identity backend that holds foreign accounts", () => {
  it("registers an address no foreign account holds, having asked the backend with the normalised email", async () => {
    const t = setup({ enumerationProtection: false, held: ["someone@example.com"] });
    const registration = await t.registerUser(ADA, requestContext(t.clock));
    expect(registration.user).toMatchObject({ email: "ada@example.com", status: "pending_verification" });
    expect(t.asked).toEqual(["ada@example.com"]);
    expect(t.db.allUsers()).toHaveLength(1);
  });

  it("without enumeration protection, an address a foreign account holds is 409 DUPLICATE_EMAIL and nothing is written", async () => {
    const t = setup({ enumerationProtection: false, held: ["ada@example.com"] });
    const error = await caught(() => t.registerUser(ADA, requestContext(t.clock)));
    expect(error).toMatchObject({ code: "DUPLICATE_EMAIL" });
    expect(t.db.allUsers()).toHaveLength(0);
    expect(t.db.queuedMail()).toHaveLength(0);
    expect(t.db.auditEntries()).toHaveLength(0);
  });

  it("with enumeration protection, it answers like a new registration, after the same hash, and mails nobody", async () => {
    const t = setup({ enumerationProtection: true, held: ["ada@example.com"] });
    const fake = await t.registerUser(ADA, requestContext(t.clock));
    const real = await t.registerUser({ ...ADA, username: "bob", email: "bob@example.com" }, requestContext(t.clock));
    expect(fake.user).toMatchObject({ id: "fresh-id", email: "ada@example.com", status: "pending_verification" });
    // Every field the API shows of a registration is there, as for a real one.
    for (const field of ["id", "username", "email", "fullName", "phoneNumber", "status", "createdAt"]) {
      expect(fake.user).toHaveProperty(field);
      expect(real.user).toHaveProperty(field);
    }
    expect(fake.verificationExpiresAt).toEqual(real.verificationExpiresAt);
    expect(t.hasher.hashCalls).toHaveLength(2);
    expect(t.db.allUsers().map((user) => user.email)).toEqual(["bob@example.com"]);
    expect(t.db.queuedMail().map((mail) => mail.to)).toEqual(["bob@example.com"]);
  });

  it("with enumeration protection, a taken username is still judged first: 409 DUPLICATE_USERNAME", async () => {
    const t = setup({ enumerationProtection: true, held: ["ada@example.com"] });
    await t.registerUser({ ...ADA, email: "first@example.com" }, requestContext(t.clock));
    const error = await caught(() => t.registerUser(ADA, requestContext(t.clock)));
    expect(error).toMatchObject({ code: "DUPLICATE_USERNAME" });
    expect(t.db.allUsers()).toHaveLength(1);
  });

  it("the backend unreachable: 503 IDENTITY_BACKEND_UNAVAILABLE before any transaction, nothing written", async () => {
    const t = setup({ enumerationProtection: true, down: true });
    const error = await caught(() => t.registerUser(ADA, requestContext(t.clock)));
    expect(error).toMatchObject({ code: "IDENTITY_BACKEND_UNAVAILABLE" });
    expect(t.db.allUsers()).toHaveLength(0);
    expect(t.db.transactions).toHaveLength(0);
    expect(t.db.queuedMail()).toHaveLength(0);
  });
});
