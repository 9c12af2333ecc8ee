import { describe, expect, it } from "vitest";
import {
  FakeClock,
  FakeMfa,
  FakeOpaqueTokens,
  FakeSessionRevocations,
  InMemoryDatabase,
  requestContext,
} from "../testing/index.js";
import { makeLogOut } from "./log-out.js";
import { makeResolvePageSession } from "./page-session.js";

function setup() {
  const clock = new FakeClock();
  const db = new InMemoryDatabase(clock);
  const revocations = new FakeSessionRevocations();
  const opaqueTokens = new FakeOpaqueTokens();
  const mfa = new FakeMfa();
  const resolve = makeResolvePageSession({ uow: db.uow, opaqueTokens, revocations, mfa, clock });
  const logOut = makeLogOut({ uow: db.uow, opaqueTokens, revocations, clock });
  const alice = db.seedUser({ email: "alice@example.com" });
  const laptop = db.seedRefreshToken({ userId: alice.id, tokenHash: FakeOpaqueTokens.hashOf("laptop-secret") });
  return { clock, db, revocations, mfa, resolve, logOut, alice, laptop, ctx: requestContext(clock) };
}

describe("resolvePageSession", () => {
  it("names the user and the API session of a live cookie secret", async () => {
    const { resolve, alice, laptop } = setup();
    expect(await resolve("laptop-secret")).toEqual({
      userId: alice.id,
      sessionId: laptop.familyId,
      acr: "aal1",
      authTime: new Date(0),
    });
  });

  it("carries the assurance the session was opened at: aal2 after a second factor, aal1 without a record", async () => {
    const { resolve, mfa, alice, laptop, db, clock } = setup();
    const assurance = { amr: ["pwd", "otp", "mfa"] as const, acr: "aal2" as const, authTime: clock.now() };
    await mfa.recordSessionAssurance({
      sessionId: laptop.familyId,
      userId: alice.id,
      assurance: { ...assurance, amr: [...assurance.amr] },
    });
    expect(await resolve("laptop-secret")).toMatchObject({ acr: "aal2", authTime: clock.now() });
    // A session opened before second factors existed has no record: aal1, as refresh treats it.
    db.seedRefreshToken({ userId: alice.id, tokenHash: FakeOpaqueTokens.hashOf("old-secret") });
    expect((await resolve("old-secret"))?.acr).toBe("aal1");
  });

  it("knows nothing of an unknown, empty or oversized secret", async () => {
    const { resolve } = setup();
    expect(await resolve("someone-else")).toBeUndefined();
    expect(await resolve("")).toBeUndefined();
    expect(await resolve("x".repeat(129))).toBeUndefined();
  });

  it("ends with its API session: a logout, a revocation seen by another node, the token's idle end", async () => {
    const { resolve, logOut, alice, laptop, ctx, revocations, clock, db } = setup();
    await logOut({ userId: alice.id, sessionId: laptop.familyId }, ctx);
    expect(await resolve("laptop-secret")).toBeUndefined();

    const phone = db.seedRefreshToken({ userId: alice.id, tokenHash: FakeOpaqueTokens.hashOf("phone-secret") });
    expect(await resolve("phone-secret")).toBeDefined();
    await revocations.revoke([phone.familyId]); // the row still says live; the list says ended
    expect(await resolve("phone-secret")).toBeUndefined();

    db.seedRefreshToken({ userId: alice.id, tokenHash: FakeOpaqueTokens.hashOf("tablet-secret") });
    clock.advanceMs(86_400_000);
    expect(await resolve("tablet-secret")).toBeUndefined();
  });
});
