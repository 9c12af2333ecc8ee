import { DomainError, SELF_DEACTIVATION_REASON } from "@gatehouse/domain";
import { describe, expect, it } from "vitest";
import { makeChangePassword } from "../account/change-password.js";
import { makeDeleteAccount } from "../account/delete-account.js";
import { makeReactivateAccount } from "../account/reactivate-account.js";
import { makeUpdateProfile } from "../account/update-profile.js";
import {
  caught,
  credentialFailuresOn,
  FakeAccessTokens,
  FakeCache,
  FakeClock,
  FakeMfa,
  FakeOneTimeSecrets,
  FakeOpaqueTokens,
  FakePasswordHasher,
  FakeSessionRevocations,
  InMemoryDatabase,
  LIFECYCLE_POLICY,
  PASSWORD_POLICY,
  REFRESH_POLICY,
  requestContext,
  sessionsOnly,
} from "../testing/index.js";
import { makeLogIn } from "./log-in.js";

const PASSWORD = "Passw0rd!";
const BUDGET = { limit: 10, windowSeconds: 900 };

/** One account and every use case that checks its password, all on one failure budget. */
function setup() {
  const clock = new FakeClock();
  const db = new InMemoryDatabase(clock);
  const hasher = new FakePasswordHasher();
  const refused: string[] = [];
  const credentialFailures = credentialFailuresOn(db.deviceTokens, clock, {
    rule: BUDGET,
    refusals: { record: (category) => refused.push(category) },
  });
  const common = {
    users: db.users,
    uow: db.uow,
    hasher,
    credentialFailures,
    clock,
    passwordPolicy: PASSWORD_POLICY,
    revocations: new FakeSessionRevocations(),
    cache: new FakeCache(clock),
  };
  const alice = db.seedUser({ email: "alice@example.com", username: "alice" });
  const session = db.seedRefreshToken({ userId: alice.id, tokenHash: FakeOpaqueTokens.hashOf("laptop") });
  return {
    db,
    hasher,
    refused,
    alice,
    session,
    ctx: requestContext(clock),
    logIn: sessionsOnly(
      makeLogIn({
        mfa: new FakeMfa(),
        ...common,
        opaqueTokens: new FakeOpaqueTokens(),
        accessTokens: new FakeAccessTokens(clock, 900),
        refreshPolicy: REFRESH_POLICY,
        deviceTokenTtlSeconds: 90 * 86_400,
      }),
    ),
    reactivate: makeReactivateAccount(common),
    changePassword: makeChangePassword(common),
    deleteAccount: makeDeleteAccount(common),
    updateProfile: makeUpdateProfile({ ...common, secrets: new FakeOneTimeSecrets(), policy: LIFECYCLE_POLICY }),
  };
}

const codeOf = (error: unknown) => (error as DomainError).code;

describe("one credential check, one failure budget per account", () => {
  it("regression: reactivate is no password oracle once the login budget has tripped", async () => {
    const { db, alice, hasher, logIn, reactivate, ctx } = setup();
    db.updateUser(alice.id, { status: "deactivated", statusReason: SELF_DEACTIVATION_REASON });
    for (let i = 0; i < BUDGET.limit; i++) {
      await caught(() => logIn({ email: "alice@example.com", password: `guess-${i}` }, ctx));
    }
    const evaluated = hasher.verifyCalls.length;
    // Before the fix reactivate answered 401 for a wrong and 200 for the right password here.
    const wrong = await caught(() => reactivate({ email: "alice@example.com", password: "guess-x" }, ctx));
    const right = await caught(() => reactivate({ email: "alice@example.com", password: PASSWORD }, ctx));
    expect([codeOf(wrong), codeOf(right)]).toEqual(["RATE_LIMIT_EXCEEDED", "RATE_LIMIT_EXCEEDED"]);
    expect(hasher.verifyCalls.length).toBe(evaluated);
    expect(db.allUsers().find((user) => user.id === alice.id)?.status).toBe("deactivated");
  });

  it("regression: 14 wrong current passwords on one access token evaluate at most the budget", async () => {
    const { alice, session, hasher, refused, changePassword, ctx } = setup();
    const answers: string[] = [];
    for (let i = 0; i < 14; i++) {
      const error = await caught(() =>
        changePassword(
          {
            userId: alice.id,
            sessionId: session.familyId,
            currentPassword: `guess-${i}`,
            newPassword: "An0ther-Passw0rd!",
            signOutOtherSessions: false,
          },
          ctx,
        ),
      );
      answers.push(codeOf(error));
    }
    expect(answers.slice(0, BUDGET.limit)).toEqual(Array(BUDGET.limit).fill("INVALID_CREDENTIALS"));
    expect(answers.slice(BUDGET.limit)).toEqual(Array(14 - BUDGET.limit).fill("RATE_LIMIT_EXCEEDED"));
    expect(hasher.verifyCalls).toHaveLength(BUDGET.limit);
    // Each refused attempt is counted once for the admin dashboard, under the failure budget.
    expect(refused).toEqual(Array(14 - BUDGET.limit).fill("login_failures"));
  });

  it("the prompts inside a session spend the budget login spends, and the login form then refuses too", async () => {
    const { alice, hasher, deleteAccount, updateProfile, logIn, ctx } = setup();
    for (let i = 0; i < 5; i++) {
      await caught(() => deleteAccount({ userId: alice.id, password: `guess-${i}` }, ctx));
      await caught(() => updateProfile(alice.id, { email: "new@example.com", currentPassword: `guess-${i}` }, ctx));
    }
    expect(hasher.verifyCalls).toHaveLength(10);
    const refused = await caught(() => logIn({ email: "alice@example.com", password: PASSWORD }, ctx));
    expect(codeOf(refused)).toBe("RATE_LIMIT_EXCEEDED");
    expect(hasher.verifyCalls).toHaveLength(10);
  });

  it("a proven password gives its slot back on every path", async () => {
    const { alice, deleteAccount, logIn, ctx } = setup();
    for (let i = 0; i < BUDGET.limit - 1; i++) {
      await caught(() => logIn({ email: "alice@example.com", password: `guess-${i}` }, ctx));
    }
    // One slot left: a right password spends and returns it, so it stays one.
    await logIn({ email: "alice@example.com", password: PASSWORD }, ctx);
    await logIn({ email: "alice@example.com", password: PASSWORD }, ctx);
    expect(await deleteAccount({ userId: alice.id, password: PASSWORD }, ctx)).toBeDefined();
  });

  it("regression: a login shed before its password was evaluated does not spend the owner's budget", async () => {
    const { hasher, logIn, ctx } = setup();
    const verify = hasher.verify.bind(hasher);
    hasher.verify = async () => {
      throw new DomainError("SERVICE_UNAVAILABLE", "Too many logins at once");
    };
    for (let i = 0; i < BUDGET.limit + 2; i++) {
      const shed = await caught(() => logIn({ email: "alice@example.com", password: PASSWORD }, ctx));
      expect(codeOf(shed)).toBe("SERVICE_UNAVAILABLE");
    }
    hasher.verify = verify;
    expect((await logIn({ email: "alice@example.com", password: PASSWORD }, ctx)).user.email).toBe("alice@example.com");
  });
});
