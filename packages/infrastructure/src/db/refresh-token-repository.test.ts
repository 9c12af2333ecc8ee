import { randomUUID } from "node:crypto";
import type { RefreshToken, User } from "@gatehouse/domain";
import { refreshTokenRepositoryContract } from "@gatehouse/domain/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { opaqueTokens } from "../security/opaque-tokens.js";
import { drizzleHarness } from "../testing/drizzle-harness.js";
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from "../testing/test-database.js";
import { rowsOf } from "./database.js";
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

// The port-level contract (shared with the in-memory fake), on every database this run has.
for (const kind of testDatabaseKinds({ pgbouncer: true })) refreshTokenRepositoryContract(kind, drizzleHarness(kind));

// What only a database shows: the hash at rest, the family lock making concurrent work wait.
describe.each(testDatabaseKinds({ pgbouncer: true }))("Drizzle RefreshTokenRepository on %s", (kind) => {
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
      sessionExpiresAt: new Date(Date.now() + 2 * HOUR),
      userAgent: "vitest",
      ipAddress: "127.0.0.1",
    });
    return { token, secret: secret.token };
  }

  it("stores only the hash of the token", async () => {
    const { token, secret } = await startFamily();
    expect(token.tokenHash).toBe(opaqueTokens.hash(secret));
    expect(token.tokenHash).not.toContain(secret);
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

  // The one-statement rotation under a burst: 50 presentations of one token at once (a client
  // retrying in a loop, or a thief racing the owner) must serialize on the family lock inside
  // the function: one rotation, 49 grace re-issues each retiring the previous successor, one
  // active token at the end, one audit entry each, and nothing lost.
  it("serializes 50 parallel presentations of one token into one rotation and 49 grace re-issues", async () => {
    const { token } = await startFamily();
    const origin = { ipAddress: null, userAgent: "race", requestId: null, durationMs: 0, timestamp: new Date() };
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        tokens().present({
          tokenHash: token.tokenHash,
          next: { id: randomUUID(), ...successorInput() },
          now: new Date(),
          graceSeconds: 10,
          origin,
        }),
      ),
    );
    const verdicts = results.map((result) => result.verdict).sort();
    expect(verdicts.filter((verdict) => verdict === "rotate")).toHaveLength(1);
    expect(verdicts.filter((verdict) => verdict === "grace")).toHaveLength(49);
    const family = rowsOf<{ active: number; total: number }>(
      await database.handle.db.execute(sql`SELECT count(*) FILTER (WHERE revoked_at IS NULL)::int AS active,
        count(*)::int AS total FROM refresh_tokens WHERE family_id = ${token.familyId}::uuid`),
    );
    expect(family).toEqual([{ active: 1, total: 51 }]);
    const audited = rowsOf<{ count: number }>(
      await database.handle.db.execute(sql`SELECT count(*)::int AS count FROM audit_logs
        WHERE action = 'auth.refresh' AND details->>'session_id' = ${token.familyId}`),
    );
    expect(audited).toEqual([{ count: 50 }]);
  });

  // Logout racing the one-statement rotation: whichever commits first, the family ends with no
  // active token (the function and revokeFamily take the same family lock).
  it("a logout racing 20 presentations leaves the family with no active token", async () => {
    const { token } = await startFamily();
    const origin = { ipAddress: null, userAgent: "race", requestId: null, durationMs: 0, timestamp: new Date() };
    const presentations = Array.from({ length: 20 }, () =>
      tokens().present({
        tokenHash: token.tokenHash,
        next: { id: randomUUID(), ...successorInput() },
        now: new Date(),
        graceSeconds: 10,
        origin,
      }),
    );
    const logout = uow().run((tx) => tx.refreshTokens.revokeFamily(token.familyId, "logout", new Date()));
    await Promise.all([...presentations, logout]);
    expect(await tokens().findActiveInFamily(token.familyId)).toBeUndefined();
  });
});
