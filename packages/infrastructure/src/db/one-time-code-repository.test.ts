import { randomBytes } from "node:crypto";
import { MAX_CODE_ATTEMPTS, type OneTimeCodePurpose } from "@gatehouse/domain";
import { oneTimeCodeContract } from "@gatehouse/domain/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeHmacOneTimeSecrets } from "../security/hmac-one-time-secrets.js";
import { drizzleHarness } from "../testing/drizzle-harness.js";
import { createTestDatabase, type TestDatabase, testDatabaseKinds } from "../testing/test-database.js";
import { rowsOf } from "./database.js";
import { makeUnitOfWork, repositoriesOn } from "./unit-of-work.js";

const HOUR = 3_600_000;

// The port-level contract (shared with the in-memory fake), on every database this run has.
for (const kind of testDatabaseKinds({ pgbouncer: true })) oneTimeCodeContract(kind, drizzleHarness(kind));

// The same rules under concurrent callers: only a database shows them.
describe.each(testDatabaseKinds({ pgbouncer: true }))(
  "Drizzle OneTimeCodeRepository and MailThrottle on %s",
  (kind) => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await createTestDatabase(kind, { maxConnections: 20 });
    });
    afterAll(async () => {
      await database.drop();
    });
    const repos = () => repositoriesOn(database.handle.db);
    const uow = () => makeUnitOfWork(database.handle.db);

    async function newUser(): Promise<string> {
      const tag = randomBytes(4).toString("hex");
      const user = await repos().users.create(
        {
          username: `u_${tag}`,
          email: `${tag}@example.com`,
          passwordHash: "x",
          fullName: null,
          phoneNumber: null,
          status: "pending_verification",
          emailVerifiedAt: null,
        },
        ["user"],
      );
      return user.id;
    }

    function newCode(userId: string, purpose: OneTimeCodePurpose = "verify_email", ttlMs = HOUR) {
      const tag = randomBytes(8).toString("hex");
      return {
        userId,
        purpose,
        email: "to@example.com",
        codeHash: `c${tag}`.padEnd(64, "0"),
        tokenHash: `t${tag}`.padEnd(64, "0"),
        expiresAt: new Date(Date.now() + ttlMs),
      };
    }

    it("serializes concurrent issues for one user and purpose: exactly one live code remains", async () => {
      const userId = await newUser();
      await Promise.all(
        Array.from({ length: 8 }, () => uow().run((tx) => tx.oneTimeCodes.issue(newCode(userId), new Date()))),
      );
      const [row] = rowsOf<{ live: number; total: number }>(
        await database.handle.db.execute(sql`
        SELECT count(*) FILTER (WHERE used_at IS NULL AND revoked_at IS NULL)::int AS live, count(*)::int AS total
        FROM one_time_codes WHERE user_id = ${userId}`),
      );
      expect(row).toEqual({ live: 1, total: 8 });
    });

    it(`lets at most ${MAX_CODE_ATTEMPTS} of 50 parallel attempts be claimed`, async () => {
      const userId = await newUser();
      const code = await uow().run((tx) => tx.oneTimeCodes.issue(newCode(userId), new Date()));
      const claims = await Promise.all(
        Array.from({ length: 50 }, () => repos().oneTimeCodes.claimAttempt(code.id, MAX_CODE_ATTEMPTS)),
      );
      expect(claims.filter(Boolean)).toHaveLength(MAX_CODE_ATTEMPTS);
      expect((await repos().oneTimeCodes.findByTokenHash(code.tokenHash))?.attempts).toBe(MAX_CODE_ATTEMPTS);
    });

    it("consumes a code once, even when raced, and then no longer offers it", async () => {
      const userId = await newUser();
      const code = await uow().run((tx) => tx.oneTimeCodes.issue(newCode(userId), new Date()));
      const consumed = await Promise.all(
        Array.from({ length: 10 }, () => repos().oneTimeCodes.consume(code.id, new Date())),
      );
      expect(consumed.filter(Boolean)).toHaveLength(1);
      expect(await repos().oneTimeCodes.findLatest(userId, "verify_email")).toBeUndefined();
      expect(await repos().oneTimeCodes.claimAttempt(code.id, MAX_CODE_ATTEMPTS)).toBe(false);
    });

    it("admits exactly the cap when many takes for one key race", async () => {
      const limits = { cooldownSeconds: 0, maxPerWindow: 5, windowSeconds: 3600 };
      const key = randomBytes(8).toString("hex");
      const verdicts = await Promise.all(
        Array.from({ length: 20 }, () => uow().run((tx) => tx.mailThrottle.take(key, limits, new Date()))),
      );
      expect(verdicts.filter((v) => v.allowed)).toHaveLength(5);
    });
  },
);

describe("HMAC one-time secrets", () => {
  const secrets = makeHmacOneTimeSecrets("a-server-secret-that-is-long-enough-for-tests");
  it("makes 6-digit codes and URL-safe tokens, and hashes them under the key", () => {
    const codes = Array.from({ length: 200 }, () => secrets.newCode());
    expect(codes.every((code) => /^[0-9]{6}$/.test(code))).toBe(true);
    expect(new Set(codes).size).toBeGreaterThan(190);
    expect(secrets.newLinkToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(secrets.hash("123456")).toMatch(/^[0-9a-f]{64}$/);
    expect(secrets.hash("123456")).not.toBe(
      makeHmacOneTimeSecrets("another-secret-of-sufficient-length!!").hash("123456"),
    );
    expect(secrets.matches("123456", secrets.hash("123456"))).toBe(true);
    expect(secrets.matches("123457", secrets.hash("123456"))).toBe(false);
    expect(secrets.matches("123456", "not-hex")).toBe(false);
  });
});
