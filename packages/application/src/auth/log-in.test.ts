import { type AccountStatus, DomainError } from "@gatehouse/domain";
import { describe, expect, it } from "vitest";
import {
  caught,
  credentialFailuresOn,
  FakeAccessTokens,
  FakeClock,
  FakeMfa,
  FakeOpaqueTokens,
  FakePasswordHasher,
  InMemoryDatabase,
  PASSWORD_POLICY,
  REFRESH_POLICY,
  requestContext,
  sessionsOnly,
} from "../testing/index.js";
import { makeLogIn } from "./log-in.js";

const PASSWORD = "Passw0rd!";
const FAILURE_RULE = { limit: 3, windowSeconds: 900 };

function setup() {
  const clock = new FakeClock();
  const db = new InMemoryDatabase(clock);
  const hasher = new FakePasswordHasher();
  const opaqueTokens = new FakeOpaqueTokens();
  const accessTokens = new FakeAccessTokens(clock, 900);
  const credentialFailures = credentialFailuresOn(db.deviceTokens, clock, { rule: FAILURE_RULE });
  const failureLimiter = credentialFailures.limiter;
  const logIn = sessionsOnly(
    makeLogIn({
      mfa: new FakeMfa(),
      users: db.users,
      uow: db.uow,
      hasher,
      opaqueTokens,
      accessTokens,
      clock,
      passwordPolicy: PASSWORD_POLICY,
      refreshPolicy: REFRESH_POLICY,
      credentialFailures,
      deviceTokenTtlSeconds: 90 * 86_400,
    }),
  );
  const user = db.seedUser(
    { email: "alice@example.com", username: "alice", passwordHash: FakePasswordHasher.hashOf(PASSWORD) },
    ["user", "admin"],
  );
  return { clock, db, hasher, opaqueTokens, accessTokens, failureLimiter, logIn, user, ctx: requestContext(clock) };
}

describe("logIn", () => {
  it("issues an access token and a refresh token for a new session", async () => {
    const { db, logIn, user, ctx, accessTokens, clock } = setup();
    const result = await logIn({ email: "alice@example.com", password: PASSWORD }, ctx);

    const [stored] = db.allRefreshTokens();
    expect(db.allRefreshTokens()).toHaveLength(1);
    expect(stored).toMatchObject({
      userId: user.id,
      parentId: null,
      tokenHash: FakeOpaqueTokens.hashOf("refresh-1"),
      revokedAt: null,
      expiresAt: new Date(clock.now().getTime() + REFRESH_POLICY.ttlSeconds * 1000),
      sessionExpiresAt: new Date(clock.now().getTime() + REFRESH_POLICY.sessionMaxLifetimeSeconds * 1000),
      userAgent: ctx.userAgent,
      ipAddress: ctx.ipAddress,
    });
    expect(stored?.familyId).toBe(stored?.id);

    expect(result.tokens).toEqual({
      accessToken: "access-1",
      refreshToken: "refresh-1",
      tokenType: "Bearer",
      expiresIn: 900,
      refreshExpiresIn: REFRESH_POLICY.ttlSeconds,
      sessionId: stored?.familyId,
    });
    expect(result.user).toEqual(user);
    expect(result.roles.map((role) => role.name)).toEqual(["user", "admin"]);

    const claims = await accessTokens.verify(result.tokens.accessToken);
    expect(claims).toMatchObject({ sub: user.id, sid: stored?.familyId, roles: ["user", "admin"] });
    expect(claims.permissions).toEqual([...claims.permissions].sort());
    expect(claims.permissions).toContain("users:write");
  });

  it("normalizes the email before looking the account up", async () => {
    const { logIn, ctx, user } = setup();
    const result = await logIn({ email: "  ALICE@Example.com ", password: PASSWORD }, ctx);
    expect(result.user.id).toBe(user.id);
  });

  it("starts a separate session for every login", async () => {
    const { db, logIn, ctx } = setup();
    const first = await logIn({ email: "alice@example.com", password: PASSWORD }, ctx);
    const second = await logIn({ email: "alice@example.com", password: PASSWORD }, ctx);
    expect(first.tokens.sessionId).not.toBe(second.tokens.sessionId);
    expect(db.allRefreshTokens().filter((token) => token.revokedAt === null)).toHaveLength(2);
  });

  it("audits auth.login with the session id, in the unit of work that stores the refresh token", async () => {
    const { db, logIn, ctx, user } = setup();
    const result = await logIn({ email: "alice@example.com", password: PASSWORD }, ctx);
    const entries = db.storedAuditEntries();
    expect(entries).toHaveLength(1);
    expect(entries[0]?.entry).toMatchObject({
      action: "auth.login",
      userId: user.id,
      status: "success",
      details: { session_id: result.tokens.sessionId },
      requestId: ctx.requestId,
    });
    expect(entries[0]?.txId).toBe(db.transactions.at(-1)?.id);
    expect(db.transactions.at(-1)?.outcome).toBe("committed");
  });

  it("stores no session when the audit entry cannot be written", async () => {
    const { db, logIn, ctx } = setup();
    db.failNext("auditLog.append", new Error("audit store down"));
    await expect(logIn({ email: "alice@example.com", password: PASSWORD }, ctx)).rejects.toThrow("audit store down");
    expect(db.allRefreshTokens()).toEqual([]);
  });

  it("fails with INVALID_CREDENTIALS when the account vanishes between the two reads", async () => {
    const { db, hasher, opaqueTokens, accessTokens, clock, ctx } = setup();
    const logIn = sessionsOnly(
      makeLogIn({
        mfa: new FakeMfa(),
        users: { findByEmail: db.users.findByEmail, find: async () => undefined },
        uow: db.uow,
        hasher,
        opaqueTokens,
        accessTokens,
        clock,
        passwordPolicy: PASSWORD_POLICY,
        refreshPolicy: REFRESH_POLICY,
        credentialFailures: credentialFailuresOn(db.deviceTokens, clock, { rule: FAILURE_RULE }),
        deviceTokenTtlSeconds: 90 * 86_400,
      }),
    );
    const error = await caught(() => logIn({ email: "alice@example.com", password: PASSWORD }, ctx));
    expect(error).toMatchObject({ code: "INVALID_CREDENTIALS" });
    expect(db.allRefreshTokens()).toEqual([]);
    expect(accessTokens.issued).toEqual([]);
  });

  describe("unknown email", () => {
    it("fails with INVALID_CREDENTIALS after still verifying against an undefined hash", async () => {
      const { db, logIn, ctx, hasher } = setup();
      const error = await caught(() => logIn({ email: "nobody@example.com", password: PASSWORD }, ctx));
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: "INVALID_CREDENTIALS" });
      // The timing guard: the hasher does the same work as for a wrong password.
      expect(hasher.verifyCalls).toEqual([{ password: PASSWORD, hash: undefined }]);
      expect(db.allRefreshTokens()).toEqual([]);
    });

    it("audits auth.login_failed with no user and reason unknown_account", async () => {
      const { db, logIn, ctx } = setup();
      await caught(() => logIn({ email: "nobody@example.com", password: PASSWORD }, ctx));
      expect(db.auditEntries()).toEqual([
        expect.objectContaining({
          action: "auth.login_failed",
          userId: null,
          resourceId: null,
          status: "failure",
          details: { reason: "unknown_account" },
        }),
      ]);
      expect(db.transactions.at(-1)?.outcome).toBe("committed");
    });

    it("treats a soft-deleted account as unknown", async () => {
      const { db, logIn, ctx, user, hasher } = setup();
      db.updateUser(user.id, { deletedAt: new Date("2024-01-01T00:00:00Z") });
      const error = await caught(() => logIn({ email: "alice@example.com", password: PASSWORD }, ctx));
      expect(error).toMatchObject({ code: "INVALID_CREDENTIALS" });
      expect(hasher.verifyCalls).toEqual([{ password: PASSWORD, hash: undefined }]);
    });
  });

  describe("wrong password", () => {
    it("fails with the same INVALID_CREDENTIALS error as an unknown email", async () => {
      const { logIn, ctx, hasher, user } = setup();
      const wrong = await caught(() => logIn({ email: "alice@example.com", password: "Wrong0ne!" }, ctx));
      const unknown = await caught(() => logIn({ email: "nobody@example.com", password: "Wrong0ne!" }, ctx));
      expect(wrong).toBeInstanceOf(DomainError);
      expect(wrong).toMatchObject({ code: "INVALID_CREDENTIALS" });
      expect((wrong as DomainError).message).toBe((unknown as DomainError).message);
      expect((wrong as DomainError).details).toBeUndefined();
      expect(hasher.verifyCalls[0]).toEqual({ password: "Wrong0ne!", hash: user.passwordHash });
    });

    it("audits auth.login_failed for the user with reason wrong_password and issues nothing", async () => {
      const { db, logIn, ctx, user, accessTokens } = setup();
      await caught(() => logIn({ email: "alice@example.com", password: "Wrong0ne!" }, ctx));
      expect(db.auditEntries()).toEqual([
        expect.objectContaining({
          action: "auth.login_failed",
          userId: user.id,
          status: "failure",
          details: { reason: "wrong_password" },
        }),
      ]);
      expect(db.allRefreshTokens()).toEqual([]);
      expect(accessTokens.issued).toEqual([]);
    });
  });

  describe("account not active", () => {
    it.each([
      ["pending_verification", "ACCOUNT_NOT_VERIFIED"],
      ["pending_approval", "ACCOUNT_PENDING_APPROVAL"],
      ["suspended", "ACCOUNT_SUSPENDED"],
      ["deactivated", "ACCOUNT_DEACTIVATED"],
    ] satisfies Array<[AccountStatus, string]>)("with the right password, %s fails with %s", async (status, code) => {
      const { db, logIn, ctx, user } = setup();
      db.updateUser(user.id, { status });
      const error = await caught(() => logIn({ email: "alice@example.com", password: PASSWORD }, ctx));
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code });
      expect(db.allRefreshTokens()).toEqual([]);
      expect(db.auditEntries()).toEqual([
        expect.objectContaining({
          action: "auth.login_failed",
          userId: user.id,
          status: "failure",
          details: { reason: `status_${status}` },
        }),
      ]);
    });

    it.each(["pending_verification", "pending_approval", "suspended", "deactivated"] satisfies AccountStatus[])(
      "with a wrong password, %s reveals nothing but INVALID_CREDENTIALS",
      async (status) => {
        const { db, logIn, ctx, user } = setup();
        db.updateUser(user.id, { status });
        const error = await caught(() => logIn({ email: "alice@example.com", password: "Wrong0ne!" }, ctx));
        expect(error).toMatchObject({ code: "INVALID_CREDENTIALS" });
        expect(db.auditEntries()[0]?.details).toEqual({ reason: "wrong_password" });
      },
    );
  });

  describe("over-long password", () => {
    it("is rejected before any lookup, hashing or audit", async () => {
      const { db, logIn, ctx, hasher } = setup();
      const error = await caught(() => logIn({ email: "alice@example.com", password: "A1a".repeat(43) }, ctx));
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({
        code: "VALIDATION_ERROR",
        details: [{ field: "password", message: "must be at most 128 characters" }],
      });
      expect(hasher.verifyCalls).toEqual([]);
      expect(db.transactions).toEqual([]);
      expect(db.auditEntries()).toEqual([]);
    });

    it("the same for an unknown email, so the answer reveals nothing", async () => {
      const { logIn, ctx, hasher } = setup();
      const error = await caught(() => logIn({ email: "nobody@example.com", password: "x".repeat(129) }, ctx));
      expect(error).toMatchObject({ code: "VALIDATION_ERROR" });
      expect(hasher.verifyCalls).toEqual([]);
    });

    it("a password of exactly the maximum still reaches the hasher", async () => {
      const { logIn, ctx, hasher } = setup();
      const error = await caught(() => logIn({ email: "alice@example.com", password: "x".repeat(128) }, ctx));
      expect(error).toMatchObject({ code: "INVALID_CREDENTIALS" });
      expect(hasher.verifyCalls).toHaveLength(1);
    });
  });

  describe("failed attempts per account", () => {
    async function failThreeTimes(
      logIn: ReturnType<typeof setup>["logIn"],
      email: string,
      ctx: ReturnType<typeof setup>["ctx"],
    ) {
      for (let i = 0; i < 3; i += 1) {
        const error = await caught(() => logIn({ email, password: "wrong-password" }, ctx));
        expect((error as DomainError).code).toBe("INVALID_CREDENTIALS");
      }
    }

    it("refuses even the right password once the email's failure budget is spent, and audits it", async () => {
      const { db, logIn, ctx } = setup();
      await failThreeTimes(logIn, "alice@example.com", ctx);
      const error = await caught(() => logIn({ email: " Alice@Example.com ", password: PASSWORD }, ctx));
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({
        code: "RATE_LIMIT_EXCEEDED",
        details: { retry_after: 900, limit: 3, window: "15 minutes" },
      });
      expect(db.allRefreshTokens()).toHaveLength(0);
      expect(db.auditEntries().at(-1)).toMatchObject({
        action: "auth.login_failed",
        userId: null,
        status: "failure",
        details: { reason: "too_many_failures" },
      });
    });

    it("answers an unknown email exactly like a known one (no enumeration through the limit)", async () => {
      const known = setup();
      const unknown = setup();
      await failThreeTimes(known.logIn, "alice@example.com", known.ctx);
      await failThreeTimes(unknown.logIn, "nobody@example.com", unknown.ctx);
      const fromKnown = (await caught(() =>
        known.logIn({ email: "alice@example.com", password: "x" }, known.ctx),
      )) as DomainError;
      const fromUnknown = (await caught(() =>
        unknown.logIn({ email: "nobody@example.com", password: "x" }, unknown.ctx),
      )) as DomainError;
      expect([fromUnknown.code, fromUnknown.message, fromUnknown.details]).toEqual([
        fromKnown.code,
        fromKnown.message,
        fromKnown.details,
      ]);
      expect(known.db.auditEntries().at(-1)).toEqual(unknown.db.auditEntries().at(-1));
    });

    it("does not spend the budget on successful logins", async () => {
      const { logIn, ctx, failureLimiter } = setup();
      for (let i = 0; i < 5; i += 1) await logIn({ email: "alice@example.com", password: PASSWORD }, ctx);
      expect(failureLimiter.counts.get("login_failures:untrusted:alice@example.com")).toBe(0);
    });

    it("keeps each email's budget to itself", async () => {
      const { logIn, ctx } = setup();
      await failThreeTimes(logIn, "mallory@example.com", ctx);
      await expect(logIn({ email: "alice@example.com", password: PASSWORD }, ctx)).resolves.toMatchObject({
        user: { email: "alice@example.com" },
      });
    });
  });
});
