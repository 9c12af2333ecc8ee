import {
  DomainError,
  NO_TELEMETRY,
  type PasswordHasher,
  type RateLimitDecision,
  type RateLimiter,
  type RefreshTokenRepository,
  type Telemetry,
  type TransactionalRepositories,
  type UnitOfWork,
} from "@gatehouse/domain";
import { describe, expect, it } from "vitest";
import type { LogIn } from "../auth/log-in.js";
import { FakeClock, requestContext } from "../testing/index.js";
import {
  instrumentLogIn,
  instrumentPasswordHasher,
  instrumentRateLimiter,
  instrumentUnitOfWork,
} from "./instrument.js";

function recorder() {
  const events: string[] = [];
  const telemetry: Telemetry = {
    ...NO_TELEMETRY,
    login: (method, outcome) => events.push(`login ${method} ${outcome}`),
    rateLimited: (category) => events.push(`limited ${category}`),
    revocations: (reason, count) => events.push(`revoked ${reason} ${count}`),
    passwordHashStarted: () => events.push("hash started"),
    passwordHashFinished: () => events.push("hash finished"),
  };
  return { events, telemetry };
}

const failingLogIn =
  (error: unknown): LogIn =>
  async () =>
    Promise.reject(error);

describe("instrumentLogIn", () => {
  it.each([
    ["INVALID_CREDENTIALS", "invalid_credentials"],
    ["ACCOUNT_NOT_VERIFIED", "not_verified"],
    ["ACCOUNT_SUSPENDED", "blocked"],
    ["ACCOUNT_PENDING_APPROVAL", "blocked"],
    ["ACCOUNT_DEACTIVATED", "blocked"],
    ["RATE_LIMIT_EXCEEDED", "rate_limited"],
  ] as const)("counts %s as %s and rethrows it", async (code, outcome) => {
    const { events, telemetry } = recorder();
    const error = new DomainError(code, "no");
    await expect(
      instrumentLogIn(failingLogIn(error), telemetry)(
        { email: "a@b.c", password: "x" },
        requestContext(new FakeClock()),
      ),
    ).rejects.toBe(error);
    expect(events).toEqual([`login password ${outcome}`]);
  });

  // Regression: a login held by the MFA gate was counted as a success.
  it.each([
    [false, "mfa_required"],
    [true, "mfa_enrollment_required"],
  ] as const)(
    "counts a login held for its second step (enrolment %s) as %s, not success",
    async (enrollment, outcome) => {
      const { events, telemetry } = recorder();
      const held: LogIn = async () => ({
        mfaRequired: true,
        enrollmentRequired: enrollment,
        mfaToken: "t",
        expiresIn: 300,
        factors: [],
      });
      await instrumentLogIn(held, telemetry)({ email: "a@b.c", password: "x" }, requestContext(new FakeClock()));
      expect(events).toEqual([`login password ${outcome}`]);
    },
  );

  it("counts an unexpected failure (a database outage) as error", async () => {
    const { events, telemetry } = recorder();
    await expect(
      instrumentLogIn(failingLogIn(new Error("ECONNREFUSED")), telemetry)(
        { email: "a@b.c", password: "x" },
        requestContext(new FakeClock()),
      ),
    ).rejects.toThrow("ECONNREFUSED");
    expect(events).toEqual(["login password error"]);
  });
});

describe("instrumentUnitOfWork", () => {
  const tokens = {
    revokeFamily: async () => 1,
    revokeAllForUser: async () => ["f1", "f2"],
  } as unknown as RefreshTokenRepository;
  const fakeUow = (commit: boolean): UnitOfWork => ({
    async run(work) {
      const result = await work({ refreshTokens: tokens } as TransactionalRepositories);
      if (!commit) throw new Error("serialization failure at commit");
      return result;
    },
  });

  it("counts revoked sessions by reason once the transaction committed", async () => {
    const { events, telemetry } = recorder();
    await instrumentUnitOfWork(fakeUow(true), telemetry).run(async (tx) => {
      await tx.refreshTokens.revokeFamily("f0", "logout", new Date());
      await tx.refreshTokens.revokeAllForUser("u1", "password_changed", new Date());
      expect(events).toEqual([]);
    });
    expect(events).toEqual(["revoked logout 1", "revoked password_changed 2"]);
  });

  it("counts nothing when the transaction rolled back", async () => {
    const { events, telemetry } = recorder();
    await expect(
      instrumentUnitOfWork(fakeUow(false), telemetry).run((tx) =>
        tx.refreshTokens.revokeFamily("f0", "logout", new Date()),
      ),
    ).rejects.toThrow("serialization");
    expect(events).toEqual([]);
  });
});

describe("instrumentRateLimiter", () => {
  const decision = (allowed: boolean): RateLimitDecision => ({
    allowed,
    limit: 1,
    remaining: 0,
    resetAt: 0,
    retryAfterSeconds: allowed ? 0 : 1,
  });

  it("counts refused hits by the key's category, unknown prefixes as other", async () => {
    const { events, telemetry } = recorder();
    let allowed = true;
    const limiter = instrumentRateLimiter<Pick<RateLimiter, "hit">>({ hit: async () => decision(allowed) }, telemetry);
    const rule = { limit: 1, windowSeconds: 60 };
    await limiter.hit("auth:ip:127.0.0.1", rule);
    allowed = false;
    await limiter.hit("auth:ip:127.0.0.1", rule);
    await limiter.hit("login_failures:a@b.c", rule);
    await limiter.hit("made-up:key", rule);
    expect(events).toEqual(["limited auth", "limited login_failures", "limited other"]);
  });
});

describe("instrumentPasswordHasher", () => {
  it("keeps a hash counted in the queue until it finishes, failures included", async () => {
    const { events, telemetry } = recorder();
    let release: () => void = () => {};
    const hasher: PasswordHasher = {
      hash: () => new Promise((resolve) => (release = () => resolve("h"))),
      verify: async () => Promise.reject(new Error("bad hash")),
      formatOf: () => undefined,
      needsRehash: () => false,
    };
    const instrumented = instrumentPasswordHasher(hasher, telemetry);
    const pending = instrumented.hash("pw");
    expect(events).toEqual(["hash started"]);
    release();
    await pending;
    await expect(instrumented.verify("pw", "x")).rejects.toThrow("bad hash");
    expect(events).toEqual(["hash started", "hash finished", "hash started", "hash finished"]);
  });
});
