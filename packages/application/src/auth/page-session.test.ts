import { describe, expect, it } from "vitest";
import {
  FakeClock,
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
  const resolve = makeResolvePageSession({ uow: db.uow, opaqueTokens, revocations, clock });
  const logOut = makeLogOut({ uow: db.uow, opaqueTokens, revocations, clock });
  const alice = db.seedUser({ email: "alice@example.com" });
  const laptop = db.seedRefreshToken({ userId: alice.id, tokenHash: FakeOpaqueTokens.hashOf("laptop-secret") });
  return { clock, db, revocations, resolve, logOut, alice, laptop, ctx: requestContext(clock) };
}

describe("resolvePageSession", () => {
  it("names the user and the API session of a live cookie secret", async () => {
    const { resolve, alice, laptop } = setup();
    expect(await resolve("laptop-secret")).toEqual({ userId: alice.id, sessionId: laptop.familyId });
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
