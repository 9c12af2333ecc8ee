import {
  deviceTokenContract,
  federatedIdentityRepositoryContract,
  oneTimeCodeContract,
  refreshTokenRepositoryContract,
  roleRepositoryContract,
  userRepositoryContract,
} from "@gatehouse/domain/testing";
import { describe, expect, it } from "vitest";
import {
  caught,
  FakeAccessTokens,
  FakeClock,
  FakeFederatedIdentities,
  FakeJobLock,
  FakeOpaqueTokens,
  FakePasswordHasher,
  FakeSessionRevocations,
  InMemoryDatabase,
} from "./index.js";

// The use-case tests lean on these fakes behaving like the real adapters; this pins that down.
// The port contracts are the same functions the Drizzle adapters run on PGlite and PostgreSQL.
const openFake = async () => {
  const db = new InMemoryDatabase(new FakeClock());
  return { repos: db, uow: db.uow, close: async () => {} };
};
userRepositoryContract("the in-memory fake", openFake, { unsupported: ["deletePermanently", "list", "statistics"] });
refreshTokenRepositoryContract("the in-memory fake", openFake);
oneTimeCodeContract("the in-memory fake", openFake);
let fakeUsers = 0;
federatedIdentityRepositoryContract("the in-memory fake", async () => ({
  identities: new FakeFederatedIdentities(),
  newUserId: async () => {
    fakeUsers += 1;
    return `user-${fakeUsers}`;
  },
  close: async () => {},
}));
deviceTokenContract("the in-memory fake", openFake);
roleRepositoryContract("the in-memory fake", openFake, {
  unsupported: ["list", "update", "revokePermission", "createPermission", "listPermissions", "lockByName"],
});

function newUser(email: string, username: string) {
  return {
    username,
    email,
    passwordHash: "h",
    fullName: null,
    phoneNumber: null,
    status: "active" as const,
    emailVerifiedAt: null,
  };
}

describe("InMemoryDatabase unit of work", () => {
  it("commits the writes of work that resolves", async () => {
    const db = new InMemoryDatabase(new FakeClock());
    const user = await db.uow.run((tx) => tx.users.create(newUser("a@example.com", "alice"), ["user"]));
    expect(db.allUsers()).toEqual([user]);
    expect(db.transactions).toEqual([{ id: 1, outcome: "committed" }]);
  });

  it("restores the state copied at the start when work throws, and rethrows", async () => {
    const clock = new FakeClock();
    const db = new InMemoryDatabase(clock);
    const kept = db.seedUser({ email: "kept@example.com" });
    const token = db.seedRefreshToken({ userId: kept.id, tokenHash: "h1" });
    const failure = new Error("boom");

    const error = await caught(() =>
      db.uow.run(async (tx) => {
        await tx.users.create(newUser("b@example.com", "bob"), ["user"]);
        await tx.refreshTokens.revokeFamily(token.familyId, "logout", clock.now());
        await tx.auditLog.append({
          action: "auth.logout",
          userId: kept.id,
          resourceType: "user",
          resourceId: kept.id,
          status: "success",
          details: null,
          ipAddress: null,
          userAgent: null,
          requestId: null,
          durationMs: null,
          timestamp: clock.now(),
        });
        throw failure;
      }),
    );

    expect(error).toBe(failure);
    expect(db.allUsers()).toEqual([kept]);
    expect(db.allRefreshTokens()).toEqual([token]);
    expect(db.auditEntries()).toEqual([]);
    expect(db.transactions).toEqual([{ id: 1, outcome: "rolled_back" }]);
  });

  it("runs concurrent units of work one after the other", async () => {
    const db = new InMemoryDatabase(new FakeClock());
    const order: string[] = [];
    await Promise.all([
      db.uow.run(async () => {
        order.push("first:start");
        await new Promise((resolve) => setTimeout(resolve, 5));
        order.push("first:end");
      }),
      db.uow.run(async () => {
        order.push("second:start");
        order.push("second:end");
      }),
    ]);
    expect(order).toEqual(["first:start", "first:end", "second:start", "second:end"]);
  });

  it("keeps running units of work after one failed", async () => {
    const db = new InMemoryDatabase(new FakeClock());
    await expect(db.uow.run(() => Promise.reject(new Error("x")))).rejects.toThrow("x");
    await expect(db.uow.run(async () => 7)).resolves.toBe(7);
  });
});

describe("security fakes", () => {
  it("the hasher verifies its own hashes, says no to an undefined hash, and records calls", async () => {
    const hasher = new FakePasswordHasher();
    const hash = await hasher.hash("Passw0rd!");
    expect(await hasher.verify("Passw0rd!", hash)).toBe(true);
    expect(await hasher.verify("wrong", hash)).toBe(false);
    expect(await hasher.verify("Passw0rd!", undefined)).toBe(false);
    expect(hasher.hashCalls).toEqual(["Passw0rd!"]);
    expect(hasher.verifyCalls).toEqual([
      { password: "Passw0rd!", hash },
      { password: "wrong", hash },
      { password: "Passw0rd!", hash: undefined },
    ]);
  });

  it("opaque tokens hash deterministically", () => {
    const tokens = new FakeOpaqueTokens();
    const { token, hash } = tokens.generate();
    expect(tokens.hash(token)).toBe(hash);
    expect(tokens.generate().token).not.toBe(token);
  });

  it("access tokens expire by the clock", async () => {
    const clock = new FakeClock();
    const tokens = new FakeAccessTokens(clock, 60);
    const { token } = await tokens.issue({ userId: "u", sid: "s", roles: [], permissions: [] });
    await expect(tokens.verify(token)).resolves.toMatchObject({ sub: "u", sid: "s" });
    clock.advanceSeconds(60);
    await expect(tokens.verify(token)).rejects.toMatchObject({ code: "TOKEN_EXPIRED" });
  });

  it("revocations remember every revoked sid", async () => {
    const revocations = new FakeSessionRevocations();
    await revocations.revoke(["b", "a"]);
    expect(await revocations.isRevoked("a")).toBe(true);
    expect(await revocations.isRevoked("c")).toBe(false);
    expect(revocations.revokedSids()).toEqual(["a", "b"]);
  });

  it("the job lock refuses a second concurrent holder", async () => {
    const lock = new FakeJobLock();
    const inner = await lock.tryRun("job", () => lock.tryRun("job", async () => "never"));
    expect(inner).toEqual({ acquired: true, result: { acquired: false } });
  });
});
