import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WebAuthnChallenge } from "../mfa/webauthn.js";
import type { MfaRepository } from "../ports/mfa-repository.js";
import type { NewWebAuthnCredential, WebAuthnChallengeStore, WebAuthnCredentialRepository } from "../ports/webauthn.js";

let counter = 0;
function unique(prefix: string): string {
  counter += 1;
  return `${prefix}${Date.now().toString(16)}${counter.toString(16)}`.padEnd(64, "0").slice(0, 64);
}

/** One adapter of `WebAuthnChallengeStore` under the contract. */
export interface ChallengeStoreHarness {
  readonly store: WebAuthnChallengeStore;
  /** A user a challenge may name (the database checks the reference). */
  newUserId(): Promise<string>;
  close(): Promise<void>;
}

/**
 * The `WebAuthnChallengeStore` contract: a challenge comes back once with what it was saved
 * with, of many parallel takes exactly one gets it, and an expired one never does.
 */
export function webAuthnChallengeStoreContract(name: string, open: () => Promise<ChallengeStoreHarness>): void {
  describe(`WebAuthnChallengeStore contract on ${name}`, () => {
    let harness: ChallengeStoreHarness;
    beforeAll(async () => {
      harness = await open();
    });
    afterAll(async () => {
      await harness.close();
    });
    const challenge = (over: Partial<WebAuthnChallenge>, now: Date): WebAuthnChallenge => ({
      challengeHash: unique("c"),
      ceremony: "passwordless",
      userId: null,
      mfaTokenHash: null,
      expiresAt: new Date(now.getTime() + 300_000),
      ...over,
    });

    it("returns a saved challenge once, with its ceremony, user and mfa token", async () => {
      const now = new Date();
      const userId = await harness.newUserId();
      const saved = challenge({ ceremony: "second_factor", userId, mfaTokenHash: unique("m") }, now);
      await harness.store.save(saved);
      const taken = await harness.store.consume(saved.challengeHash, now);
      expect(taken).toMatchObject({
        challengeHash: saved.challengeHash,
        ceremony: "second_factor",
        userId,
        mfaTokenHash: saved.mfaTokenHash,
      });
      expect(taken?.expiresAt.getTime()).toBe(saved.expiresAt.getTime());
      expect(await harness.store.consume(saved.challengeHash, now)).toBeUndefined();
    });

    it("gives a challenge to exactly one of ten parallel takes", async () => {
      const now = new Date();
      const saved = challenge({}, now);
      await harness.store.save(saved);
      const takes = await Promise.all(
        Array.from({ length: 10 }, () => harness.store.consume(saved.challengeHash, now)),
      );
      expect(takes.filter((t) => t !== undefined)).toHaveLength(1);
    });

    it("never returns an expired or unknown challenge", async () => {
      const now = new Date();
      const saved = challenge({ ceremony: "registration", userId: await harness.newUserId() }, now);
      await harness.store.save(saved);
      expect(await harness.store.consume(saved.challengeHash, new Date(now.getTime() + 301_000))).toBeUndefined();
      expect(await harness.store.consume(unique("unknown"), now)).toBeUndefined();
    });
  });
}

/** One adapter of `WebAuthnCredentialRepository` under the contract, with the MFA store it shares factors with. */
export interface CredentialRepositoryHarness {
  readonly credentials: WebAuthnCredentialRepository;
  readonly mfa: Pick<MfaRepository, "listFactors" | "removeFactor" | "removeAllFactors">;
  newUserId(): Promise<string>;
  close(): Promise<void>;
}

/**
 * The `WebAuthnCredentialRepository` contract: a credential is a confirmed `webauthn` factor
 * (listed and removed as one), a credential id is registered once, and an assertion is
 * recorded only while the counter advances, once among concurrent ones.
 */
export function webAuthnCredentialRepositoryContract(
  name: string,
  open: () => Promise<CredentialRepositoryHarness>,
): void {
  describe(`WebAuthnCredentialRepository contract on ${name}`, () => {
    let harness: CredentialRepositoryHarness;
    beforeAll(async () => {
      harness = await open();
    });
    afterAll(async () => {
      await harness.close();
    });
    const newCredential = (userId: string, over: Partial<NewWebAuthnCredential> = {}): NewWebAuthnCredential => ({
      userId,
      credentialId: unique("cred").slice(0, 43),
      publicKey: "pQECAyYgASFYIA",
      counter: 5,
      transports: ["internal", "hybrid"],
      backupEligible: true,
      backupState: false,
      aaguid: "00000000-0000-0000-0000-000000000000",
      name: "Laptop",
      now: new Date(Date.UTC(2026, 0, 1)),
      ...over,
    });

    it("stores a credential behind a confirmed webauthn factor and finds it by id", async () => {
      const userId = await harness.newUserId();
      const input = newCredential(userId);
      const stored = await harness.credentials.add(input);
      expect(stored).toMatchObject({
        userId,
        credentialId: input.credentialId,
        publicKey: input.publicKey,
        counter: 5,
        transports: ["internal", "hybrid"],
        backupEligible: true,
        backupState: false,
        aaguid: input.aaguid,
        name: "Laptop",
        lastUsedAt: null,
      });
      const factors = await harness.mfa.listFactors(userId);
      expect(factors.map((f) => [f.id, f.type, f.confirmedAt !== null])).toEqual([
        [stored?.factorId, "webauthn", true],
      ]);
      expect(await harness.credentials.findByCredentialId(input.credentialId)).toEqual(stored);
      expect(await harness.credentials.listForUser(userId)).toEqual([stored]);
    });

    it("registers a credential id once, whoever presents it again", async () => {
      const first = await harness.newUserId();
      const input = newCredential(first);
      expect(await harness.credentials.add(input)).toBeDefined();
      expect(await harness.credentials.add({ ...input, userId: await harness.newUserId() })).toBeUndefined();
      expect(await harness.mfa.listFactors(first)).toHaveLength(1);
    });

    it("records an assertion only while the counter advances, once among parallel ones", async () => {
      const userId = await harness.newUserId();
      const { credentialId } = newCredential(userId);
      await harness.credentials.add(newCredential(userId, { credentialId }));
      const now = new Date(Date.UTC(2026, 0, 2));
      expect(await harness.credentials.recordAssertion({ credentialId, counter: 5, backupState: true, now })).toBe(
        false,
      );
      expect(await harness.credentials.recordAssertion({ credentialId, counter: 4, backupState: true, now })).toBe(
        false,
      );
      const parallel = await Promise.all(
        Array.from({ length: 8 }, () =>
          harness.credentials.recordAssertion({ credentialId, counter: 9, backupState: true, now }),
        ),
      );
      expect(parallel.filter(Boolean)).toHaveLength(1);
      const after = await harness.credentials.findByCredentialId(credentialId);
      expect(after).toMatchObject({ counter: 9, backupState: true });
      expect(after?.lastUsedAt?.getTime()).toBe(now.getTime());
    });

    it("accepts every assertion of an authenticator that never counts (counter 0)", async () => {
      const userId = await harness.newUserId();
      const input = newCredential(userId, { counter: 0 });
      await harness.credentials.add(input);
      const now = new Date();
      const record = () =>
        harness.credentials.recordAssertion({ credentialId: input.credentialId, counter: 0, backupState: false, now });
      expect(await record()).toBe(true);
      expect(await record()).toBe(true);
    });

    it("loses the credential with its factor", async () => {
      const userId = await harness.newUserId();
      const stored = await harness.credentials.add(newCredential(userId));
      if (stored === undefined) throw new Error("not stored");
      await harness.mfa.removeFactor(userId, stored.factorId);
      expect(await harness.credentials.findByCredentialId(stored.credentialId)).toBeUndefined();
      expect(await harness.credentials.listForUser(userId)).toEqual([]);
    });

    it("loses every credential of the user when all factors go (an admin reset)", async () => {
      const userId = await harness.newUserId();
      const first = await harness.credentials.add(newCredential(userId));
      const second = await harness.credentials.add(newCredential(userId, { name: "Phone" }));
      expect((await harness.mfa.removeAllFactors(userId)).map((f) => f.type)).toEqual(["webauthn", "webauthn"]);
      expect(await harness.credentials.listForUser(userId)).toEqual([]);
      expect(await harness.credentials.findByCredentialId(first?.credentialId ?? "")).toBeUndefined();
      expect(await harness.credentials.findByCredentialId(second?.credentialId ?? "")).toBeUndefined();
    });
  });
}
