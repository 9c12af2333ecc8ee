import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ContractHarness, newUserInput, type OpenHarness } from "./harness.js";

let counter = 0;
const DAY = 86_400_000;

/**
 * The `DeviceTokenRepository` contract at the port: a live token is found by its hash until it
 * expires or is revoked; issuing with `replacesId` rotates (only the same user's token); one
 * or all of a user's tokens can be revoked; the live ones are listed newest first.
 */
export function deviceTokenContract(name: string, open: OpenHarness): void {
  describe(`DeviceTokenRepository contract on ${name}`, () => {
    let harness: ContractHarness;
    beforeAll(async () => {
      harness = await open();
    });
    afterAll(async () => {
      await harness.close();
    });
    const devices = () => harness.repos.deviceTokens;
    const newUser = async () => (await harness.repos.users.create(newUserInput(), ["user"])).id;
    const hash = () => {
      counter += 1;
      return `d${Date.now().toString(16)}${counter.toString(16)}`.padEnd(64, "0");
    };
    const issue = (userId: string, now: Date, replacesId?: string, days = 30) =>
      harness.uow.run((tx) =>
        tx.deviceTokens.issue(
          {
            userId,
            tokenHash: hash(),
            expiresAt: new Date(now.getTime() + days * DAY),
            userAgent: "contract",
            ipAddress: "192.0.2.1",
          },
          now,
          replacesId,
        ),
      );

    it("finds a live token by its hash, and no longer once it expired", async () => {
      const now = new Date();
      const token = await issue(await newUser(), now, undefined, 1);
      expect(token).toMatchObject({ revokedAt: null, userAgent: "contract", ipAddress: "192.0.2.1" });
      expect((await devices().findLive(token.tokenHash, now))?.id).toBe(token.id);
      expect(await devices().findLive(token.tokenHash, new Date(now.getTime() + 2 * DAY))).toBeUndefined();
      expect(await devices().findLive("f".repeat(64), now)).toBeUndefined();
    });

    it("rotates: a token issued to replace another revokes it, but never another user's", async () => {
      const now = new Date();
      const userId = await newUser();
      const first = await issue(userId, now);
      const second = await issue(userId, now, first.id);
      expect(await devices().findLive(first.tokenHash, now)).toBeUndefined();
      expect((await devices().findLive(second.tokenHash, now))?.userId).toBe(userId);
      const stranger = await issue(await newUser(), now, second.id);
      expect(await devices().findLive(second.tokenHash, now)).toBeDefined();
      expect(await devices().findLive(stranger.tokenHash, now)).toBeDefined();
    });

    it("revokes one token of its owner, or all of them, and lists the live ones newest first", async () => {
      const userId = await newUser();
      const older = await issue(userId, new Date(Date.now() - 60_000));
      const newer = await issue(userId, new Date());
      const now = new Date();
      expect((await devices().listLive(userId, now)).map((d) => d.id)).toEqual([newer.id, older.id]);
      expect(await devices().revoke(await newUser(), older.id, now)).toBe(false);
      expect(await devices().revoke(userId, older.id, now)).toBe(true);
      expect(await devices().revoke(userId, older.id, now)).toBe(false);
      expect((await devices().listLive(userId, now)).map((d) => d.id)).toEqual([newer.id]);
      await issue(userId, now);
      expect(await devices().revokeAllForUser(userId, now)).toBe(2);
      expect(await devices().listLive(userId, now)).toEqual([]);
      expect(await devices().findLive(newer.tokenHash, now)).toBeUndefined();
    });
  });
}
