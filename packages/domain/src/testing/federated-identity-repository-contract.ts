import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isDomainError } from "../errors/domain-error.js";
import type { FederatedIdentityRepository } from "../ports/federation-repository.js";

/** One adapter of `FederatedIdentityRepository` under the contract, on a fresh store. */
export interface FederationHarness {
  readonly identities: FederatedIdentityRepository;
  /** A new user the identities may belong to (the databases check the reference). */
  newUserId(): Promise<string>;
  close(): Promise<void>;
}

export type OpenFederationHarness = () => Promise<FederationHarness>;

let counter = 0;
function uniqueSubject(): string {
  counter += 1;
  return `subject-${Date.now().toString(36)}-${counter}`;
}

async function linkError(work: Promise<unknown>): Promise<string | undefined> {
  try {
    await work;
    return undefined;
  } catch (error) {
    return isDomainError(error) ? error.code : String(error);
  }
}

/**
 * The `FederatedIdentityRepository` contract: `(provider, subject)` is linked once, to one user,
 * however many try at the same time; a user's identities are listed oldest first; unlinking
 * removes only the named user's identity.
 */
export function federatedIdentityRepositoryContract(name: string, open: OpenFederationHarness): void {
  describe(`FederatedIdentityRepository contract on ${name}`, () => {
    let harness: FederationHarness;
    beforeAll(async () => {
      harness = await open();
    });
    afterAll(async () => {
      await harness.close();
    });
    const identities = () => harness.identities;

    it("links a provider account and finds it by provider and subject only", async () => {
      const userId = await harness.newUserId();
      const subject = uniqueSubject();
      const at = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
      const linked = await identities().link({ userId, provider: "acme", subject, email: "a@example.com", at });
      expect(linked).toMatchObject({ userId, provider: "acme", subject, email: "a@example.com", createdAt: at });
      expect(typeof linked.id).toBe("string");
      expect(await identities().findBySubject("acme", subject)).toEqual(linked);
      expect(await identities().findBySubject("other", subject)).toBeUndefined();
      expect(await identities().findBySubject("acme", `${subject}-x`)).toBeUndefined();
    });

    it("refuses a provider account linked already, to anyone, with IDENTITY_ALREADY_LINKED", async () => {
      const [first, second] = [await harness.newUserId(), await harness.newUserId()];
      const subject = uniqueSubject();
      const at = new Date();
      await identities().link({ userId: first, provider: "acme", subject, email: null, at });
      expect(await linkError(identities().link({ userId: second, provider: "acme", subject, email: null, at }))).toBe(
        "IDENTITY_ALREADY_LINKED",
      );
      expect(await linkError(identities().link({ userId: first, provider: "acme", subject, email: null, at }))).toBe(
        "IDENTITY_ALREADY_LINKED",
      );
      // The same subject at another provider is another account.
      await identities().link({ userId: second, provider: "github", subject, email: null, at });
      expect((await identities().findBySubject("acme", subject))?.userId).toBe(first);
    });

    it("lets exactly one of many concurrent links of one provider account win", async () => {
      const users = await Promise.all(Array.from({ length: 6 }, () => harness.newUserId()));
      const subject = uniqueSubject();
      const outcomes = await Promise.all(
        users.map((userId) =>
          linkError(identities().link({ userId, provider: "acme", subject, email: null, at: new Date() })),
        ),
      );
      expect(outcomes.filter((outcome) => outcome === undefined)).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome === "IDENTITY_ALREADY_LINKED")).toHaveLength(users.length - 1);
    });

    it("lists a user's identities oldest first, and nobody else's", async () => {
      const [userId, other] = [await harness.newUserId(), await harness.newUserId()];
      const base = Date.UTC(2026, 1, 1);
      const newer = await identities().link({
        userId,
        provider: "github",
        subject: uniqueSubject(),
        email: null,
        at: new Date(base + 60_000),
      });
      const older = await identities().link({
        userId,
        provider: "acme",
        subject: uniqueSubject(),
        email: "u@example.com",
        at: new Date(base),
      });
      await identities().link({
        userId: other,
        provider: "acme",
        subject: uniqueSubject(),
        email: null,
        at: new Date(),
      });
      expect((await identities().listForUser(userId)).map((identity) => identity.id)).toEqual([older.id, newer.id]);
      expect(await identities().listForUser(await harness.newUserId())).toEqual([]);
    });

    it("stamps a sign-in with touch", async () => {
      const userId = await harness.newUserId();
      const linked = await identities().link({
        userId,
        provider: "acme",
        subject: uniqueSubject(),
        email: null,
        at: new Date(Date.UTC(2026, 2, 1)),
      });
      const later = new Date(Date.UTC(2026, 2, 5));
      await identities().touch(linked.id, later);
      expect((await identities().findBySubject("acme", linked.subject))?.lastLoginAt).toEqual(later);
    });

    it("unlinks only the named user's identity, once", async () => {
      const [owner, other] = [await harness.newUserId(), await harness.newUserId()];
      const linked = await identities().link({
        userId: owner,
        provider: "acme",
        subject: uniqueSubject(),
        email: null,
        at: new Date(),
      });
      expect(await identities().unlink(linked.id, other)).toBe(false);
      expect(await identities().findBySubject("acme", linked.subject)).toBeDefined();
      expect(await identities().unlink(linked.id, owner)).toBe(true);
      expect(await identities().unlink(linked.id, owner)).toBe(false);
      expect(await identities().findBySubject("acme", linked.subject)).toBeUndefined();
      expect(await identities().listForUser(owner)).toEqual([]);
    });
  });
}
