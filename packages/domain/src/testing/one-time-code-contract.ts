import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_CODE_ATTEMPTS, type OneTimeCodePurpose } from "../verification/one-time-code.js";
import { type ContractHarness, newUserInput, type OpenHarness } from "./harness.js";

let counter = 0;

/**
 * The `OneTimeCodeRepository` and `MailThrottle` contracts at the port, one step at a time:
 * one live code per user and purpose, attempts up to a cap, consumption once, the throttle's
 * cooldown and cap. The same rules under concurrent callers stay with the Drizzle tests.
 */
export function oneTimeCodeContract(name: string, open: OpenHarness): void {
  describe(`OneTimeCodeRepository and MailThrottle contract on ${name}`, () => {
    let harness: ContractHarness;
    beforeAll(async () => {
      harness = await open();
    });
    afterAll(async () => {
      await harness.close();
    });
    const codes = () => harness.repos.oneTimeCodes;
    const newUser = async () =>
      (await harness.repos.users.create(newUserInput({ status: "pending_verification" }), ["user"])).id;
    const issue = (userId: string, purpose: OneTimeCodePurpose = "verify_email", at = new Date()) => {
      counter += 1;
      const tag = `${Date.now().toString(16)}${counter.toString(16)}`;
      return harness.uow.run((tx) =>
        tx.oneTimeCodes.issue(
          {
            userId,
            purpose,
            email: "to@example.com",
            codeHash: `c${tag}`.padEnd(64, "0"),
            tokenHash: `t${tag}`.padEnd(64, "0"),
            expiresAt: new Date(at.getTime() + 3_600_000),
          },
          at,
        ),
      );
    };

    it("issues a code as the one live code, revoking the older one of the same purpose only", async () => {
      const userId = await newUser();
      const now = new Date();
      const first = await issue(userId, "verify_email", now);
      const reset = await issue(userId, "reset_password", now);
      const second = await issue(userId, "verify_email", now);
      expect(second).toMatchObject({ attempts: 0, usedAt: null, revokedAt: null, purpose: "verify_email" });
      expect(await codes().findLatest(userId, "verify_email")).toEqual(second);
      expect((await codes().findByTokenHash(first.tokenHash))?.revokedAt).toEqual(now);
      expect((await codes().findLatest(userId, "reset_password"))?.id).toBe(reset.id);
      expect(await codes().findByTokenHash("f".repeat(64))).toBeUndefined();
    });

    it(`claims at most ${MAX_CODE_ATTEMPTS} attempts on a code`, async () => {
      const code = await issue(await newUser());
      const claims: boolean[] = [];
      for (let i = 0; i < MAX_CODE_ATTEMPTS + 2; i += 1)
        claims.push(await codes().claimAttempt(code.id, MAX_CODE_ATTEMPTS));
      expect(claims.filter(Boolean)).toHaveLength(MAX_CODE_ATTEMPTS);
      expect((await codes().findByTokenHash(code.tokenHash))?.attempts).toBe(MAX_CODE_ATTEMPTS);
    });

    it("consumes a code once, and then no longer offers it", async () => {
      const userId = await newUser();
      const code = await issue(userId);
      expect(await codes().consume(code.id, new Date())).toBe(true);
      expect(await codes().consume(code.id, new Date())).toBe(false);
      expect(await codes().findLatest(userId, "verify_email")).toBeUndefined();
      expect(await codes().claimAttempt(code.id, MAX_CODE_ATTEMPTS)).toBe(false);
    });

    it("revokes every live code of a user and purpose", async () => {
      const userId = await newUser();
      await issue(userId, "change_email");
      expect(await codes().revokeAll(userId, "change_email", new Date())).toBe(1);
      expect(await codes().findLatest(userId, "change_email")).toBeUndefined();
      expect(await codes().revokeAll(userId, "change_email", new Date())).toBe(0);
    });

    it("throttles per key: cooldown first, then the cap per window, with the seconds to wait", async () => {
      const limits = { cooldownSeconds: 60, maxPerWindow: 3, windowSeconds: 3600 };
      counter += 1;
      const key = `contract-${Date.now()}-${counter}`;
      const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1) + seconds * 1000);
      const take = (seconds: number) => harness.uow.run((tx) => tx.mailThrottle.take(key, limits, at(seconds)));
      expect(await take(0)).toEqual({ allowed: true });
      expect(await take(10)).toEqual({ allowed: false, retryAfterSeconds: 50 });
      expect(await take(60)).toEqual({ allowed: true });
      expect(await take(120)).toEqual({ allowed: true });
      expect(await take(180)).toEqual({ allowed: false, retryAfterSeconds: 3600 - 180 });
      expect(await take(3601)).toEqual({ allowed: true });
    });
  });
}
