import { type CodeMailData, DomainError, type OutgoingMail } from "@gatehouse/domain";
import { describe, expect, it } from "vitest";
import { makeConfirmEmailChange } from "../account/confirm-email-change.js";
import { makeGetCurrentUser } from "../account/get-current-user.js";
import { makeUpdateProfile } from "../account/update-profile.js";
import { makeRequestPasswordReset } from "../recovery/request-password-reset.js";
import { makeResetPassword } from "../recovery/reset-password.js";
import type { LifecyclePolicy } from "../shared/lifecycle-policy.js";
import {
  caught,
  credentialFailuresOn,
  FakeCache,
  FakeClock,
  FakeOneTimeSecrets,
  FakePasswordHasher,
  FakeSessionRevocations,
  InMemoryDatabase,
  LIFECYCLE_POLICY,
  PASSWORD_POLICY,
  requestContext,
} from "../testing/index.js";
import { makeCheckEmail } from "./check-email.js";
import { makeRegisterUser } from "./register-user.js";
import { makeResendVerification } from "./resend-verification.js";
import { makeVerifyEmail } from "./verify-email.js";

const HOUR = 3_600_000;
const ADA = { username: "ada", email: "ada@example.com", password: "Passw0rd!" };

function setup(overrides: Partial<LifecyclePolicy> = {}) {
  const policy = { ...LIFECYCLE_POLICY, ...overrides };
  const clock = new FakeClock();
  const db = new InMemoryDatabase(clock);
  const hasher = new FakePasswordHasher();
  const secrets = new FakeOneTimeSecrets();
  const revocations = new FakeSessionRevocations();
  const cache = new FakeCache(clock);
  const afterChange = { cache, revocations };
  const codeCheck = { codes: db.oneTimeCodes, secrets, clock };
  const ctx = () => requestContext(clock);
  let ids = 0;
  const useCases = {
    register: makeRegisterUser({
      uow: db.uow,
      hasher,
      clock,
      passwordPolicy: PASSWORD_POLICY,
      secrets,
      policy,
      newId: () => `fake-${++ids}`,
    }),
    verify: makeVerifyEmail({ ...codeCheck, ...afterChange, users: db.users, uow: db.uow, policy }),
    resend: makeResendVerification({ uow: db.uow, clock, secrets, policy }),
    checkEmail: makeCheckEmail({ uow: db.uow, clock, secrets, policy }),
    forgot: makeRequestPasswordReset({ uow: db.uow, clock, secrets, policy }),
    reset: makeResetPassword({
      ...codeCheck,
      users: db.users,
      uow: db.uow,
      hasher,
      ...afterChange,
      passwordPolicy: PASSWORD_POLICY,
    }),
    updateProfile: makeUpdateProfile({
      ...afterChange,
      users: db.users,
      uow: db.uow,
      hasher,
      credentialFailures: credentialFailuresOn(db.deviceTokens, clock),
      clock,
      secrets,
      policy,
    }),
    confirmEmail: makeConfirmEmailChange({ ...codeCheck, ...afterChange, users: db.users, uow: db.uow }),
    me: makeGetCurrentUser({ users: db.users, cache }),
  };
  /** The data of the newest mail of `template` sent to `to`. */
  const lastMail = (to: string, template: OutgoingMail["template"]) => {
    const mail = db
      .queuedMail()
      .filter((m) => m.to === to && m.template === template)
      .at(-1);
    if (mail === undefined) throw new Error(`no ${template} mail to ${to}`);
    return mail.data as CodeMailData;
  };
  return { policy, clock, db, hasher, secrets, revocations, cache, ctx, lastMail, ...useCases };
}

describe("registration with email verification", () => {
  it("creates a pending user and queues one verify-email mail with a code and a link, in one transaction", async () => {
    const t = setup();
    const { user, verificationExpiresAt } = await t.register(ADA, t.ctx());
    expect(user.status).toBe("pending_verification");
    expect(verificationExpiresAt).toEqual(new Date(t.clock.now().getTime() + 24 * HOUR));
    expect(t.db.queuedMail()).toHaveLength(1);
    const mail = t.lastMail(ADA.email, "verify-email");
    expect(mail).toEqual({
      username: "ada",
      code: "100001",
      link: "https://app.example.com/verify-email?token=link-1",
      expiresAt: verificationExpiresAt?.toISOString(),
    });
    // Only keyed hashes are stored.
    const [code] = t.db.allCodes();
    expect(code).toMatchObject({ codeHash: "hmac(100001)", tokenHash: "hmac(link-1)", purpose: "verify_email" });
    expect(JSON.stringify(t.db.allCodes())).not.toContain('"100001"');
    expect(new Set(t.db.storedAuditEntries().map((e) => e.txId))).toEqual(new Set([1]));
  });

  it("builds the links from the configured paths (a team's own frontend) when given", async () => {
    const t = setup({ linkPaths: { verify_email: "/app/verify", reset_password: "/app/reset" } });
    await t.register(ADA, t.ctx());
    expect(t.lastMail(ADA.email, "verify-email")).toMatchObject({
      link: "https://app.example.com/app/verify?token=link-1",
    });
  });

  it("starts active (or pending approval) without verification, and mails nothing", async () => {
    const off = setup({ requireEmailVerification: false });
    expect((await off.register(ADA, off.ctx())).user.status).toBe("active");
    const approval = setup({ requireEmailVerification: false, requireAdminApproval: true });
    expect((await approval.register(ADA, approval.ctx())).user.status).toBe("pending_approval");
    expect([...off.db.queuedMail(), ...approval.db.queuedMail()]).toEqual([]);
  });

  it("verifies with the code: active, code consumed, audited", async () => {
    const t = setup();
    await t.register(ADA, t.ctx());
    const verified = await t.verify({ email: "ADA@example.com", code: "100001" }, t.ctx());
    expect(verified).toMatchObject({ status: "active", emailVerifiedAt: t.clock.now() });
    expect(t.db.allCodes()[0]?.usedAt).toEqual(t.clock.now());
    expect(t.db.auditEntries().map((e) => e.action)).toContain("auth.email_verified");
    expect(await caught(() => t.verify({ email: ADA.email, code: "100001" }, t.ctx()))).toMatchObject({
      code: "ALREADY_VERIFIED",
    });
  });

  it("verifies with the link token, into pending_approval when approval is required", async () => {
    const t = setup({ requireAdminApproval: true });
    await t.register(ADA, t.ctx());
    expect(await t.verify({ token: "link-1" }, t.ctx())).toMatchObject({ status: "pending_approval" });
  });

  it("refuses a wrong code, and burns the code after 5 wrong ones even for the right code", async () => {
    const t = setup();
    await t.register(ADA, t.ctx());
    for (let i = 0; i < 5; i += 1) {
      expect(await caught(() => t.verify({ email: ADA.email, code: "999999" }, t.ctx()))).toMatchObject({
        code: "INVALID_VERIFICATION_CODE",
      });
    }
    const burned = await caught(() => t.verify({ email: ADA.email, code: "100001" }, t.ctx()));
    // Enumeration through burned codes: the answer is the unknown address's, details and all.
    const unknown = await caught(() => t.verify({ email: "nobody@example.com", code: "100001" }, t.ctx()));
    expect(burned).toMatchObject({ code: "INVALID_VERIFICATION_CODE" });
    expect(JSON.stringify(burned)).toBe(JSON.stringify(unknown));
    expect((burned as { details?: unknown }).details).toBeUndefined();
    expect(t.db.allCodes()[0]?.attempts).toBe(5);
    // A resend issues a fresh code that works.
    t.clock.advanceSeconds(61);
    await t.resend(ADA.email, t.ctx());
    expect(
      await t.verify({ email: ADA.email, code: t.lastMail(ADA.email, "verify-email").code }, t.ctx()),
    ).toMatchObject({ status: "active" });
  });

  it("answers 410 VERIFICATION_EXPIRED once the code expired, by code and by link", async () => {
    const t = setup();
    await t.register(ADA, t.ctx());
    t.clock.advanceMs(24 * HOUR);
    expect(await caught(() => t.verify({ email: ADA.email, code: "100001" }, t.ctx()))).toMatchObject({
      code: "VERIFICATION_EXPIRED",
    });
    expect(await caught(() => t.verify({ token: "link-1" }, t.ctx()))).toMatchObject({ code: "VERIFICATION_EXPIRED" });
  });

  it("lets an expired registration's email and username be registered again", async () => {
    const t = setup();
    const first = await t.register(ADA, t.ctx());
    expect(await caught(() => t.register(ADA, t.ctx()))).toMatchObject({ code: "DUPLICATE_EMAIL" });
    expect(await t.checkEmail(ADA.email, t.ctx())).toBe(false);
    t.clock.advanceMs(24 * HOUR + 1);
    expect(await t.checkEmail(ADA.email, t.ctx())).toBe(true);
    const second = await t.register(ADA, t.ctx());
    expect(second.user.id).not.toBe(first.user.id);
    expect(t.db.allUsers().map((u) => u.id)).toEqual([second.user.id]);
    expect(t.db.auditEntries().filter((e) => e.action === "user.registration_expired")).toEqual([
      expect.objectContaining({ userId: null, resourceId: first.user.id }),
    ]);
  });

  it("with enumeration protection, answers a taken email like a new registration and mails the owner", async () => {
    const t = setup({ enumerationProtection: true });
    const real = await t.register(ADA, t.ctx());
    // Past the address's mail cooldown, so the owner's notice is not dropped by the mail throttle.
    t.clock.advanceSeconds(60);
    const fake = await t.register({ ...ADA, username: "someone" }, t.ctx());
    // Every field the API shows of a registration is there, as for a real one.
    for (const field of ["id", "username", "email", "fullName", "phoneNumber", "status", "createdAt"]) {
      expect(fake.user).toHaveProperty(field);
    }
    expect(fake).toMatchObject({ user: { status: "pending_verification", email: ADA.email, username: "someone" } });
    expect(fake.verificationExpiresAt?.getTime()).toBe((real.verificationExpiresAt?.getTime() ?? 0) + 60_000);
    expect(t.hasher.hashCalls).toHaveLength(2);
    expect(t.db.allUsers()).toHaveLength(1);
    expect(t.db.queuedMail().map((m) => m.template)).toEqual(["verify-email", "registration-attempt"]);
  });

  // Attack: registering again with a known username answered 201 when the email had an account
  // (the taken email was judged first) and 409 DUPLICATE_USERNAME when it had none.
  it("duplicate-username enumeration: a taken username is the same 409 for a taken and a free email; the owner is mailed", async () => {
    const t = setup({ enumerationProtection: true });
    await t.register(ADA, t.ctx());
    await t.register({ ...ADA, username: "grace", email: "grace@example.com" }, t.ctx());
    t.clock.advanceSeconds(60);
    const taken = await caught(() => t.register({ ...ADA, username: "grace" }, t.ctx()));
    const free = await caught(() => t.register({ ...ADA, username: "GRACE", email: "new@example.com" }, t.ctx()));
    for (const error of [taken, free]) {
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: "DUPLICATE_USERNAME", message: "Username is already taken" });
      expect((error as DomainError).details).toBeUndefined();
    }
    expect(t.hasher.hashCalls).toHaveLength(4);
    expect(t.db.allUsers()).toHaveLength(2);
    // The owner of the taken address hears of the attempt; nothing goes to the free address.
    expect(t.db.queuedMail().map((m) => [m.to, m.template])).toEqual([
      [ADA.email, "verify-email"],
      ["grace@example.com", "verify-email"],
      [ADA.email, "registration-attempt"],
    ]);
  });
});

describe("the per-address mail throttle", () => {
  it("mail flooding: eight registrations naming someone's address send the owner one mail", async () => {
    const t = setup({ enumerationProtection: true });
    await t.register(ADA, t.ctx());
    for (let i = 0; i < 8; i += 1) await t.register({ ...ADA, username: `flood${i}` }, t.ctx());
    expect(t.db.queuedMail().filter((m) => m.to === ADA.email)).toHaveLength(1);
    // Past the cooldown the owner hears of the next attempt again.
    t.clock.advanceSeconds(60);
    await t.register({ ...ADA, username: "later" }, t.ctx());
    expect(t.db.queuedMail().map((m) => m.template)).toEqual(["verify-email", "registration-attempt"]);
  });
});

describe("resend", () => {
  it("replaces the previous code and link, and answers alike for pending, unknown and active addresses", async () => {
    const t = setup();
    await t.register(ADA, t.ctx());
    t.clock.advanceSeconds(60);
    await t.resend(ADA.email, t.ctx());
    await t.resend("nobody@example.com", t.ctx());
    expect(t.db.queuedMail().map((m) => m.to)).toEqual([ADA.email, ADA.email]);
    expect(await caught(() => t.verify({ email: ADA.email, code: "100001" }, t.ctx()))).toMatchObject({
      code: "INVALID_VERIFICATION_CODE",
    });
    expect(await caught(() => t.verify({ token: "link-1" }, t.ctx()))).toMatchObject({
      code: "INVALID_VERIFICATION_CODE",
    });
    await t.verify({ token: "link-2" }, t.ctx());
    t.clock.advanceSeconds(60);
    await t.resend(ADA.email, t.ctx()); // now active: nothing sent, same answer
    expect(t.db.queuedMail()).toHaveLength(2);
  });

  it("limits per address whether or not an account exists: 60 s cooldown, 5 per day, with retry_after", async () => {
    for (const email of [ADA.email, "nobody@example.com"]) {
      const t = setup();
      await t.register(ADA, t.ctx());
      await t.resend(email, t.ctx());
      expect(await caught(() => t.resend(email, t.ctx()))).toMatchObject({
        code: "RATE_LIMIT_EXCEEDED",
        details: { retry_after: 60 },
      });
      for (let i = 0; i < 4; i += 1) {
        t.clock.advanceSeconds(60);
        await t.resend(email, t.ctx());
      }
      t.clock.advanceSeconds(60);
      const capped = await caught(() => t.resend(email, t.ctx()));
      expect(capped).toMatchObject({ code: "RATE_LIMIT_EXCEEDED", details: { retry_after: 86_400 - 300 } });
    }
  });

  it("does not renew an expired registration", async () => {
    const t = setup();
    await t.register(ADA, t.ctx());
    t.clock.advanceMs(25 * HOUR);
    await t.resend(ADA.email, t.ctx());
    expect(t.db.queuedMail()).toHaveLength(1);
  });
});

describe("password reset", () => {
  async function activeAda(t: ReturnType<typeof setup>) {
    const user = t.db.seedUser({
      username: "ada",
      email: ADA.email,
      passwordHash: FakePasswordHasher.hashOf(ADA.password),
    });
    t.db.seedRefreshToken({ userId: user.id, tokenHash: "h1" });
    t.db.seedRefreshToken({ userId: user.id, tokenHash: "h2" });
    return user;
  }

  it("mails a code valid 15 minutes to a known address, nothing to an unknown one; a new request revokes the older", async () => {
    const t = setup();
    await activeAda(t);
    await t.forgot("nobody@example.com", t.ctx());
    await t.forgot(ADA.email, t.ctx());
    expect(t.db.queuedMail().map((m) => [m.to, m.template])).toEqual([[ADA.email, "password-reset"]]);
    expect(t.lastMail(ADA.email, "password-reset").expiresAt).toBe(
      new Date(t.clock.now().getTime() + 15 * 60_000).toISOString(),
    );
    t.clock.advanceSeconds(60);
    await t.forgot(ADA.email, t.ctx());
    expect(t.db.allCodes().map((c) => c.revokedAt !== null)).toEqual([true, false]);
  });

  it("drops requests past the limit silently (no error, no mail)", async () => {
    const t = setup();
    await activeAda(t);
    await t.forgot(ADA.email, t.ctx());
    await t.forgot(ADA.email, t.ctx());
    expect(t.db.queuedMail()).toHaveLength(1);
  });

  it("sets the new password, revokes every session, mails password-changed, and works once", async () => {
    const t = setup();
    const user = await activeAda(t);
    await t.forgot(ADA.email, t.ctx());
    const { code } = t.lastMail(ADA.email, "password-reset");
    await t.reset({ email: ADA.email, code, newPassword: "N3w-password" }, t.ctx());
    const stored = t.db.allUsers().find((u) => u.id === user.id);
    expect(stored?.passwordHash).toBe(FakePasswordHasher.hashOf("N3w-password"));
    expect(t.db.allRefreshTokens().every((token) => token.revokedReason === "password_reset")).toBe(true);
    expect(t.revocations.revokeCalls.flat()).toHaveLength(2);
    expect(t.db.queuedMail().at(-1)).toMatchObject({ to: ADA.email, template: "password-changed" });
    expect(t.db.auditEntries().map((e) => e.action)).toContain("auth.password_reset");
    expect(await caught(() => t.reset({ email: ADA.email, code, newPassword: "An0ther-one" }, t.ctx()))).toMatchObject({
      code: "INVALID_RESET_TOKEN",
    });
  });

  it("refuses the current password as the new one without using up the code, and an expired link", async () => {
    const t = setup();
    await activeAda(t);
    await t.forgot(ADA.email, t.ctx());
    const token = t.secrets.issuedTokens.at(-1) ?? "";
    expect(await caught(() => t.reset({ token, newPassword: ADA.password }, t.ctx()))).toMatchObject({
      code: "VALIDATION_ERROR",
      details: [{ field: "new_password" }],
    });
    t.clock.advanceMs(15 * 60_000);
    expect(await caught(() => t.reset({ token, newPassword: "N3w-password" }, t.ctx()))).toMatchObject({
      code: "INVALID_RESET_TOKEN",
    });
  });
});

describe("profile and email change", () => {
  it("updates name, phone and username; a taken username is 409", async () => {
    const t = setup();
    const user = t.db.seedUser({ username: "ada", email: ADA.email });
    t.db.seedUser({ username: "taken" });
    const update = await t.updateProfile(
      user.id,
      { fullName: " Ada L ", phoneNumber: null, username: "ada2" },
      t.ctx(),
    );
    expect(update.account.user).toMatchObject({ fullName: "Ada L", phoneNumber: null, username: "ada2" });
    expect(update.pendingEmail).toBeNull();
    expect(await caught(() => t.updateProfile(user.id, { username: "TAKEN" }, t.ctx()))).toMatchObject({
      code: "DUPLICATE_USERNAME",
    });
  });

  it("changes the email only once the code sent to the new address is confirmed; the old one is notified", async () => {
    const t = setup();
    const user = t.db.seedUser({
      username: "ada",
      email: ADA.email,
      passwordHash: FakePasswordHasher.hashOf(ADA.password),
    });
    expect(await caught(() => t.updateProfile(user.id, { email: "new@example.com" }, t.ctx()))).toMatchObject({
      code: "VALIDATION_ERROR",
      details: [{ field: "current_password" }],
    });
    expect(
      await caught(() => t.updateProfile(user.id, { email: "new@example.com", currentPassword: "wrong" }, t.ctx())),
    ).toMatchObject({ code: "INVALID_CREDENTIALS" });
    const update = await t.updateProfile(user.id, { email: "New@example.com", currentPassword: ADA.password }, t.ctx());
    expect(update).toMatchObject({ pendingEmail: "new@example.com", account: { user: { email: ADA.email } } });
    expect(t.db.queuedMail().map((m) => [m.to, m.template])).toEqual([
      ["new@example.com", "verify-new-email"],
      [ADA.email, "email-change-notice"],
    ]);
    const other = t.db.seedUser({ username: "eve" });
    const { code } = t.lastMail("new@example.com", "verify-new-email");
    expect(await caught(() => t.confirmEmail(other.id, { code }, t.ctx()))).toMatchObject({
      code: "INVALID_VERIFICATION_CODE",
    });
    const confirmed = await t.confirmEmail(user.id, { code }, t.ctx());
    expect(confirmed.user).toMatchObject({ email: "new@example.com", emailVerifiedAt: t.clock.now() });
  });

  // Regression: the stale-profile bug. `PUT /users/me` and the email-change confirmation
  // wrote the row but left `user:{id}` cached, so `GET /auth/me` served the old values for
  // up to 5 minutes.
  it("stale profile: a profile update and a confirmed email change show on the next /auth/me", async () => {
    const t = setup();
    const user = t.db.seedUser({
      username: "ada",
      email: ADA.email,
      passwordHash: FakePasswordHasher.hashOf(ADA.password),
    });
    expect((await t.me(user.id)).user).toMatchObject({ username: "ada", fullName: null });
    await t.updateProfile(user.id, { username: "ada2", fullName: "Ada L" }, t.ctx());
    expect((await t.me(user.id)).user).toMatchObject({ username: "ada2", fullName: "Ada L" });

    await t.updateProfile(user.id, { email: "new@example.com", currentPassword: ADA.password }, t.ctx());
    expect((await t.me(user.id)).user.email).toBe(ADA.email);
    await t.confirmEmail(user.id, { code: t.lastMail("new@example.com", "verify-new-email").code }, t.ctx());
    expect((await t.me(user.id)).user.email).toBe("new@example.com");
  });

  it("a password reset drops the cached profile with the ended sessions", async () => {
    const t = setup();
    const user = t.db.seedUser({ email: ADA.email, passwordHash: FakePasswordHasher.hashOf(ADA.password) });
    const before = (await t.me(user.id)).user.passwordChangedAt;
    t.clock.advanceMs(1000);
    await t.forgot(ADA.email, t.ctx());
    const { code } = t.lastMail(ADA.email, "password-reset");
    await t.reset({ email: ADA.email, code, newPassword: "N3w-password" }, t.ctx());
    expect((await t.me(user.id)).user.passwordChangedAt.getTime()).toBeGreaterThan(before.getTime());
  });
});
