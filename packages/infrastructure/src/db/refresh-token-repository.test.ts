import type { RefreshToken, User } from "@gatehouse/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { opaqueTokens } from "../security/opaque-tokens.js";
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from "../testing/test-database.js";
import { makeUnitOfWork, repositoriesOn } from "./unit-of-work.js";

const HOUR = 3_600_000;

/** What a rotation needs for the successor: a fresh hash, an hour to live. */
function successorInput() {
  return {
    tokenHash: opaqueTokens.generate().hash,
    expiresAt: new Date(Date.now() + HOUR),
    userAgent: null,
    ipAddress: null,
  };
}

// The RefreshTokenRepository contract, run against every adapter.
describe.each(testDatabaseKinds())("RefreshTokenRepository contract on %s", (kind) => {
  let database: TestDatabase;
  let user: User;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    user = await repositoriesOn(database.handle.db).users.create(
      {
        username: "token_owner",
        email: "owner@example.com",
        passwordHash: "x",
        fullName: null,
        phoneNumber: null,
        status: "active",
        emailVerifiedAt: null,
      },
      ["user"],
    );
  });
  afterAll(async () => {
    await database.drop();
  });
  const tokens = () => repositoriesOn(database.handle.db).refreshTokens;
  const uow = () => makeUnitOfWork(database.handle.db);

  async function startFamily(): Promise<{ token: RefreshToken; secret: string }> {
    const secret = opaqueTokens.generate();
    const token = await tokens().insert({
      userId: user.id,
      parentId: null,
      tokenHash: secret.hash,
      expiresAt: new Date(Date.now() + HOUR),
      userAgent: "vitest",
      ipAddress: "127.0.0.1",
    });
    return { token, secret: secret.token };
  }

  it("starts a family whose id is the first token's id, storing only the hash", async () => {
    const { token, secret } = await startFamily();
    expect(token.familyId).toBe(token.id);
    expect(token.tokenHash).toBe(opaqueTokens.hash(secret));
    expect(token.tokenHash).not.toContain(secret);
    expect(token.ipAddress).toBe("127.0.0.1");
    expect(token.revokedAt).toBeNull();
  });

  it("rotates: retires the current token and links its successor", async () => {
    const { token } = await startFamily();
    const now = new Date();
    const next = await uow().run(async (tx) => {
      await tx.refreshTokens.lockFamilyOf(token.tokenHash);
      return tx.refreshTokens.rotate(token, successorInput(), now);
    });
    expect(next.familyId).toBe(token.familyId);
    expect(next.parentId).toBe(token.id);
    const retired = await tokens().lockFamilyOf(token.tokenHash);
    expect(retired?.revokedReason).toBe("rotated");
    expect(retired?.replacedBy).toBe(next.id);
    expect((await tokens().findActiveInFamily(token.familyId))?.id).toBe(next.id);
  });

  it("refuses to rotate a token that is no longer active", async () => {
    const { token } = await startFamily();
    await tokens().revokeFamily(token.familyId, "logout", new Date());
    await expect(
      tokens().rotate(
        token,
        { tokenHash: opaqueTokens.generate().hash, expiresAt: new Date(), userAgent: null, ipAddress: null },
        new Date(),
      ),
    ).rejects.toThrow();
  });

  it("never lets a family hold two active tokens (store constraint)", async () => {
    const { token } = await startFamily();
    await expect(
      tokens().insert({
        userId: user.id,
        familyId: token.familyId,
        parentId: token.id,
        tokenHash: opaqueTokens.generate().hash,
        expiresAt: new Date(Date.now() + HOUR),
        userAgent: null,
        ipAddress: null,
      }),
    ).rejects.toThrow();
  });

  it("serializes work on one family: a second locker waits and then sees the first one's change", async () => {
    const { token } = await startFamily();
    const order: string[] = [];
    let releaseFirst: () => void = () => {};
    const firstHolds = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    let firstLocked: () => void = () => {};
    const firstHasLock = new Promise<void>((resolve) => {
      firstLocked = resolve;
    });
    const first = uow().run(async (tx) => {
      await tx.refreshTokens.lockFamilyOf(token.tokenHash);
      order.push("first locked");
      firstLocked();
      await firstHolds;
      await tx.refreshTokens.revokeFamily(token.familyId, "logout", new Date());
      order.push("first revoked");
    });
    await firstHasLock;
    const second = uow().run(async (tx) => {
      const seen = await tx.refreshTokens.lockFamilyOf(token.tokenHash);
      order.push(`second saw ${seen?.revokedReason ?? "active"}`);
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    releaseFirst();
    await Promise.all([first, second]);
    expect(order).toEqual(["first locked", "first revoked", "second saw logout"]);
  });

  // Regression: revokeFamily did not take the family lock. A logout racing a rotation waited for
  // the retired row, skipped it, and never saw the successor: the session outlived its logout.
  it.each(["revokeFamily", "revokeAllForUser"] as const)(
    "%s waits for a rotation in progress and revokes its successor too",
    async (method) => {
      const { token } = await startFamily();
      let rotationLocked: () => void = () => {};
      const locked = new Promise<void>((resolve) => {
        rotationLocked = resolve;
      });
      const rotation = uow().run(async (tx) => {
        await tx.refreshTokens.lockFamilyOf(token.tokenHash);
        rotationLocked();
        await new Promise((resolve) => setTimeout(resolve, 150));
        return tx.refreshTokens.rotate(token, successorInput(), new Date());
      });
      await locked;
      const logout = uow().run<unknown>((tx) =>
        method === "revokeFamily"
          ? tx.refreshTokens.revokeFamily(token.familyId, "logout", new Date())
          : tx.refreshTokens.revokeAllForUser(user.id, "logout_all", new Date()),
      );
      const [successor] = await Promise.all([rotation, logout]);
      expect(successor.revokedAt).toBeNull(); // as returned by the rotation, before the logout
      expect(await tokens().findActiveInFamily(token.familyId)).toBeUndefined();
    },
  );

  it("answers undefined for an unknown token", async () => {
    expect(await tokens().lockFamilyOf(opaqueTokens.hash("never-issued"))).toBeUndefined();
  });

  it("revokes all of a user's families and reports them; lists them as recently revoked", async () => {
    const before = new Date(Date.now() - 1000);
    const a = await startFamily();
    const b = await startFamily();
    const families = await tokens().revokeAllForUser(user.id, "logout_all", new Date());
    expect(families).toEqual(expect.arrayContaining([a.token.familyId, b.token.familyId]));
    expect(await tokens().findActiveInFamily(a.token.familyId)).toBeUndefined();
    const recent = await tokens().familiesRevokedSince(before);
    expect(recent).toEqual(expect.arrayContaining([a.token.familyId, b.token.familyId]));
  });

  it("does not list families whose tokens were only rotated", async () => {
    const since = new Date(Date.now() - 1000);
    const { token } = await startFamily();
    await uow().run(async (tx) => {
      await tx.refreshTokens.lockFamilyOf(token.tokenHash);
      await tx.refreshTokens.rotate(token, successorInput(), new Date());
    });
    expect(await tokens().familiesRevokedSince(since)).not.toContain(token.familyId);
  });
});
