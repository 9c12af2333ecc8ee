import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MfaRepository } from "../ports/mfa-repository.js";

/** One adapter of `MfaRepository` under the contract, on a fresh store. */
export interface MfaHarness {
  readonly mfa: MfaRepository;
  /** A new user the factors may belong to (the databases check the reference). */
  newUserId(): Promise<string>;
  close(): Promise<void>;
}

export type OpenMfaHarness = () => Promise<MfaHarness>;

let counter = 0;
function uniqueHash(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(16)}${counter.toString(16)}`.padEnd(64, "0").slice(0, 64);
}

/**
 * The `MfaRepository` contract: a TOTP enrolment is pending until confirmed, and then cannot be
 * restarted; the step guard accepts each step once, in increasing order, and one of many
 * concurrent acceptances of a step wins; recovery codes are single use under concurrency and a
 * new set voids the old; a challenge is consumed once and only while live; session assurance
 * round-trips and is replaced by a later record.
 */
export function mfaRepositoryContract(name: string, open: OpenMfaHarness): void {
  describe(`MfaRepository contract on ${name}`, () => {
    let harness: MfaHarness;
    beforeAll(async () => {
      harness = await open();
    });
    afterAll(async () => {
      await harness.close();
    });
    const mfa = () => harness.mfa;

    it("keeps a TOTP enrolment pending until a step confirms it, then refuses a restart", async () => {
      const userId = await harness.newUserId();
      const now = new Date();
      const first = await mfa().startTotp({ userId, secretCiphertext: "sealed-1", now });
      expect(first).toMatchObject({ userId, type: "totp", confirmedAt: null });
      const again = await mfa().startTotp({ userId, secretCiphertext: "sealed-2", now });
      expect(again?.id).toBe(first?.id);
      expect((await mfa().findTotp(userId))?.secretCiphertext).toBe("sealed-2");
      const id = first?.id ?? "";
      // A pending factor cannot be used to log in, only confirmed.
      expect(await mfa().acceptTotpStep({ factorId: id, timeStep: 10, now, confirm: false })).toBe(false);
      expect(await mfa().acceptTotpStep({ factorId: id, timeStep: 10, now, confirm: true })).toBe(true);
      expect(await mfa().acceptTotpStep({ factorId: id, timeStep: 11, now, confirm: true })).toBe(false);
      expect(await mfa().startTotp({ userId, secretCiphertext: "sealed-3", now })).toBeUndefined();
      const totp = await mfa().findTotp(userId);
      expect(totp).toMatchObject({ secretCiphertext: "sealed-2", lastTimeStep: 10 });
      expect(totp?.confirmedAt).toBeInstanceOf(Date);
      expect((await mfa().listFactors(userId)).map((f) => f.type)).toEqual(["totp"]);
    });

    it("accepts each time step once and only moving forward; one of parallel acceptances wins", async () => {
      const userId = await harness.newUserId();
      const now = new Date();
      const factor = await mfa().startTotp({ userId, secretCiphertext: "sealed", now });
      const factorId = factor?.id ?? "";
      expect(await mfa().acceptTotpStep({ factorId, timeStep: 100, now, confirm: true })).toBe(true);
      expect(await mfa().acceptTotpStep({ factorId, timeStep: 100, now, confirm: false })).toBe(false);
      expect(await mfa().acceptTotpStep({ factorId, timeStep: 99, now, confirm: false })).toBe(false);
      const racing = await Promise.all(
        Array.from({ length: 5 }, () => mfa().acceptTotpStep({ factorId, timeStep: 101, now, confirm: false })),
      );
      expect(racing.filter(Boolean)).toHaveLength(1);
      expect((await mfa().findTotp(userId))?.lastTimeStep).toBe(101);
    });

    it("uses a recovery code once, even in parallel, and a new set voids the old", async () => {
      const userId = await harness.newUserId();
      const now = new Date();
      const [a, b, c] = [uniqueHash("a"), uniqueHash("b"), uniqueHash("c")];
      const factor = await mfa().replaceRecoveryCodes({ userId, codeHashes: [a, b], now });
      expect(factor).toMatchObject({ userId, type: "recovery_codes" });
      expect(factor.confirmedAt).toBeInstanceOf(Date);
      expect(await mfa().countUnusedRecoveryCodes(userId)).toBe(2);
      const racing = await Promise.all(
        Array.from({ length: 5 }, () => mfa().useRecoveryCode({ userId, codeHash: a, now })),
      );
      expect(racing.filter(Boolean)).toHaveLength(1);
      expect(await mfa().useRecoveryCode({ userId, codeHash: a, now })).toBe(false);
      expect(await mfa().useRecoveryCode({ userId: await harness.newUserId(), codeHash: b, now })).toBe(false);
      expect(await mfa().countUnusedRecoveryCodes(userId)).toBe(1);
      const renewed = await mfa().replaceRecoveryCodes({ userId, codeHashes: [c], now });
      expect(renewed.id).toBe(factor.id);
      expect(await mfa().useRecoveryCode({ userId, codeHash: b, now })).toBe(false);
      expect(await mfa().useRecoveryCode({ userId, codeHash: c, now })).toBe(true);
      expect((await mfa().listFactors(userId)).map((f) => f.type)).toEqual(["recovery_codes"]);
    });

    it("removes only the owner's factor, its codes with it", async () => {
      const userId = await harness.newUserId();
      const now = new Date();
      const codes = await mfa().replaceRecoveryCodes({ userId, codeHashes: [uniqueHash("r")], now });
      expect(await mfa().removeFactor(await harness.newUserId(), codes.id)).toBeUndefined();
      expect((await mfa().removeFactor(userId, codes.id))?.id).toBe(codes.id);
      expect(await mfa().removeFactor(userId, codes.id)).toBeUndefined();
      expect(await mfa().countUnusedRecoveryCodes(userId)).toBe(0);
      expect(await mfa().listFactors(userId)).toEqual([]);
    });

    it("removes all of a user's factors at once, pending and codes included, and nobody else's", async () => {
      const userId = await harness.newUserId();
      const other = await harness.newUserId();
      const now = new Date();
      const totp = await mfa().startTotp({ userId, secretCiphertext: "sealed", now });
      const codes = await mfa().replaceRecoveryCodes({ userId, codeHashes: [uniqueHash("x"), uniqueHash("y")], now });
      const kept = await mfa().replaceRecoveryCodes({ userId: other, codeHashes: [uniqueHash("z")], now });
      const removed = await mfa().removeAllFactors(userId);
      expect(removed.map((f) => f.id).sort()).toEqual([totp?.id, codes.id].sort());
      expect(await mfa().listFactors(userId)).toEqual([]);
      expect(await mfa().findTotp(userId)).toBeUndefined();
      expect(await mfa().countUnusedRecoveryCodes(userId)).toBe(0);
      expect(await mfa().removeAllFactors(userId)).toEqual([]);
      expect((await mfa().listFactors(other)).map((f) => f.id)).toEqual([kept.id]);
      expect(await mfa().countUnusedRecoveryCodes(other)).toBe(1);
    });

    it("consumes a live challenge once, even in parallel, and never an expired one", async () => {
      const userId = await harness.newUserId();
      const now = new Date();
      const live = {
        tokenHash: uniqueHash("t"),
        userId,
        purpose: "login" as const,
        clientHash: "c".repeat(64),
        amr: ["pwd" as const],
        authTime: new Date(now.getTime() - 1000),
        expiresAt: new Date(now.getTime() + 300_000),
      };
      await mfa().createChallenge(live);
      // Finding leaves the challenge in place (a passkey's options are bound to it first).
      expect((await mfa().findChallenge(live.tokenHash, now))?.userId).toBe(userId);
      const racing = await Promise.all(
        Array.from({ length: 5 }, () => mfa().consumeChallenge(live.tokenHash, now, "login")),
      );
      const won = racing.filter((c) => c !== undefined);
      expect(won).toHaveLength(1);
      expect(won[0]).toMatchObject({ userId, purpose: "login", clientHash: live.clientHash, amr: ["pwd"] });
      expect(won[0]?.authTime.getTime()).toBe(live.authTime.getTime());
      const stale = { ...live, tokenHash: uniqueHash("s"), expiresAt: new Date(now.getTime() - 1) };
      await mfa().createChallenge(stale);
      expect(await mfa().findChallenge(stale.tokenHash, now)).toBeUndefined();
      expect(await mfa().consumeChallenge(stale.tokenHash, now, "login")).toBeUndefined();
      expect(await mfa().findChallenge(live.tokenHash, now)).toBeUndefined();
      // An enrolment token keeps its purpose: the use cases refuse it where a login's is expected.
      const enrolment = { ...live, tokenHash: uniqueHash("e"), purpose: "enrollment" as const };
      await mfa().createChallenge(enrolment);
      expect((await mfa().findChallenge(enrolment.tokenHash, now))?.purpose).toBe("enrollment");
      expect(await mfa().consumeChallenge(enrolment.tokenHash, now, "login")).toBeUndefined();
      expect((await mfa().consumeChallenge(enrolment.tokenHash, now, "enrollment"))?.purpose).toBe("enrollment");
    });

    it("records a session's assurance and replaces it on a later record", async () => {
      const userId = await harness.newUserId();
      const sessionId = "0f2d0c8e-5a4b-4c3d-9e1f-000000000001".replace(/1$/, String(counter++ % 10));
      const authTime = new Date(Math.floor(Date.now() / 1000) * 1000);
      expect(await mfa().findSessionAssurance(sessionId)).toBeUndefined();
      await mfa().recordSessionAssurance({ sessionId, userId, assurance: { amr: ["pwd"], acr: "aal1", authTime } });
      expect(await mfa().findSessionAssurance(sessionId)).toEqual({ amr: ["pwd"], acr: "aal1", authTime });
      const later = new Date(authTime.getTime() + 60_000);
      const raised = { amr: ["pwd", "otp", "mfa"] as const, acr: "aal2" as const, authTime: later };
      await mfa().recordSessionAssurance({ sessionId, userId, assurance: raised });
      expect(await mfa().findSessionAssurance(sessionId)).toEqual({ ...raised, amr: [...raised.amr] });
    });
  });
}
