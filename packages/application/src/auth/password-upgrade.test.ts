import { SELF_DEACTIVATION_REASON } from "@gatehouse/domain";
import { describe, expect, it } from "vitest";
import { makeReactivateAccount } from "../account/reactivate-account.js";
import {
  credentialFailuresOn,
  FakeAccessTokens,
  FakeCache,
  FakeClock,
  FakeMfa,
  FakeOpaqueTokens,
  FakePasswordHasher,
  FakeSessionRevocations,
  InMemoryDatabase,
  PASSWORD_POLICY,
  REFRESH_POLICY,
  requestContext,
  sessionsOnly,
} from "../testing/index.js";
import { makeLogIn } from "./log-in.js";

const PASSWORD = "Tr1cky-Fjord-Lantern-88";

function setup(passwordHash: string) {
  const clock = new FakeClock();
  const db = new InMemoryDatabase(clock);
  const hasher = new FakePasswordHasher();
  const logIn = sessionsOnly(
    makeLogIn({
      mfa: new FakeMfa(),
      users: db.users,
      uow: db.uow,
      hasher,
      opaqueTokens: new FakeOpaqueTokens(),
      accessTokens: new FakeAccessTokens(clock, 900),
      clock,
      passwordPolicy: PASSWORD_POLICY,
      refreshPolicy: REFRESH_POLICY,
      credentialFailures: credentialFailuresOn(db.deviceTokens, clock, { rule: { limit: 5, windowSeconds: 900 } }),
      deviceTokenTtlSeconds: 90 * 86_400,
    }),
  );
  const user = db.seedUser({ email: "imported@example.com", username: "imported", passwordHash }, ["user"]);
  const stored = () => db.users.find(user.id).then((found) => found?.user.passwordHash);
  const rehashes = () => db.auditEntries().filter((entry) => entry.action === "password.rehashed");
  return { clock, db, hasher, logIn, user, stored, rehashes, ctx: requestContext(clock) };
}

describe("lazy migration of imported password hashes at login", () => {
  it("an imported hash is replaced by the current one in the login's transaction, audited once", async () => {
    const { logIn, stored, rehashes, hasher, user, db, ctx } = setup(FakePasswordHasher.legacyHashOf(PASSWORD));
    await logIn({ email: "imported@example.com", password: PASSWORD }, ctx);
    expect(await stored()).toBe(FakePasswordHasher.hashOf(PASSWORD));
    expect(rehashes()).toEqual([
      expect.objectContaining({ userId: user.id, resourceId: user.id, details: { from: "legacy", to: "fake" } }),
    ]);
    // The password did not change: its instant stays.
    expect((await db.users.find(user.id))?.user.passwordChangedAt).toEqual(user.passwordChangedAt);
    // The second login finds the current format and re-hashes nothing.
    await logIn({ email: "imported@example.com", password: PASSWORD }, ctx);
    expect(rehashes()).toHaveLength(1);
    expect(hasher.hashCalls).toEqual([PASSWORD]);
  });

  it("a wrong password against an imported hash re-hashes nothing", async () => {
    const { logIn, stored, rehashes, hasher, ctx } = setup(FakePasswordHasher.legacyHashOf(PASSWORD));
    await expect(
      logIn({ email: "imported@example.com", password: "Wrong-Fjord-Lantern-88" }, ctx),
    ).rejects.toMatchObject({
      code: "INVALID_CREDENTIALS",
    });
    expect(await stored()).toBe(FakePasswordHasher.legacyHashOf(PASSWORD));
    expect(rehashes()).toEqual([]);
    expect(hasher.hashCalls).toEqual([]);
  });

  it("a current hash is left alone", async () => {
    const { logIn, rehashes, hasher, ctx } = setup(FakePasswordHasher.hashOf(PASSWORD));
    await logIn({ email: "imported@example.com", password: PASSWORD }, ctx);
    expect(rehashes()).toEqual([]);
    expect(hasher.hashCalls).toEqual([]);
  });

  it("the upgrade and its audit row commit together with the login, or not at all (same transaction)", async () => {
    const { logIn, stored, rehashes, db, ctx } = setup(FakePasswordHasher.legacyHashOf(PASSWORD));
    db.failNext("auditLog.append");
    await expect(logIn({ email: "imported@example.com", password: PASSWORD }, ctx)).rejects.toThrow(/injected/);
    expect(await stored()).toBe(FakePasswordHasher.legacyHashOf(PASSWORD));
    expect(rehashes()).toEqual([]);
  });

  it("a hash queue that refuses the re-hash does not refuse the proven login; the next one upgrades", async () => {
    const { logIn, stored, hasher, ctx } = setup(FakePasswordHasher.legacyHashOf(PASSWORD));
    const original = hasher.hash.bind(hasher);
    hasher.hash = async () => {
      throw new Error("queue full");
    };
    await logIn({ email: "imported@example.com", password: PASSWORD }, ctx);
    expect(await stored()).toBe(FakePasswordHasher.legacyHashOf(PASSWORD));
    hasher.hash = original;
    await logIn({ email: "imported@example.com", password: PASSWORD }, ctx);
    expect(await stored()).toBe(FakePasswordHasher.hashOf(PASSWORD));
  });

  it("a reactivation proves the password too: it upgrades the hash in its own transaction", async () => {
    const { db, hasher, clock, user, stored, rehashes, ctx } = setup(FakePasswordHasher.legacyHashOf(PASSWORD));
    db.updateUser(user.id, { status: "deactivated", statusReason: SELF_DEACTIVATION_REASON });
    const reactivate = makeReactivateAccount({
      users: db.users,
      uow: db.uow,
      hasher,
      clock,
      passwordPolicy: PASSWORD_POLICY,
      credentialFailures: credentialFailuresOn(db.deviceTokens, clock, { rule: { limit: 5, windowSeconds: 900 } }),
      revocations: new FakeSessionRevocations(),
      cache: new FakeCache(clock),
    });
    await reactivate({ email: "imported@example.com", password: PASSWORD }, ctx);
    expect(await stored()).toBe(FakePasswordHasher.hashOf(PASSWORD));
    expect(rehashes()).toHaveLength(1);
  });
});
