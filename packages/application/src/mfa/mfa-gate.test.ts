import { describe, expect, it } from "vitest";
import { FakeClock, FakeMfa, FakeOpaqueTokens, requestContext } from "../testing/index.js";
import { clientBinding, gateFirstFactor } from "./mfa-gate.js";

describe("the MFA gate", () => {
  const setup = () => {
    const deps = { mfa: new FakeMfa(), opaqueTokens: new FakeOpaqueTokens(), clock: new FakeClock() };
    return { deps, ctx: requestContext(deps.clock) };
  };

  it("lets a user without a confirmed factor through at aal1 with the first factor's method", async () => {
    const { deps, ctx } = setup();
    // A pending enrolment and recovery codes alone guard nothing.
    await deps.mfa.startTotp({ userId: "u1", secretCiphertext: "sealed", now: deps.clock.now() });
    await deps.mfa.replaceRecoveryCodes({ userId: "u1", codeHashes: ["h"], now: deps.clock.now() });
    const gate = await gateFirstFactor(deps, ctx, { userId: "u1", method: "fed" });
    expect(gate).toEqual({ assurance: { amr: ["fed"], acr: "aal1", authTime: deps.clock.now() } });
  });

  it("answers a challenge bound to the client, stored hashed, for a user with a confirmed app", async () => {
    const { deps, ctx } = setup();
    const now = deps.clock.now();
    const factor = await deps.mfa.startTotp({ userId: "u1", secretCiphertext: "sealed", now });
    await deps.mfa.acceptTotpStep({ factorId: factor?.id ?? "", timeStep: 1, now, confirm: true });
    await deps.mfa.replaceRecoveryCodes({ userId: "u1", codeHashes: ["h"], now });
    const gate = await gateFirstFactor(deps, ctx, { userId: "u1", method: "pwd" });
    if (!("challenge" in gate)) throw new Error("expected a challenge");
    expect(gate.challenge).toMatchObject({ mfaRequired: true, expiresIn: 300, factors: ["totp", "recovery_code"] });
    const stored = await deps.mfa.consumeChallenge(deps.opaqueTokens.hash(gate.challenge.mfaToken), now);
    expect(stored).toMatchObject({ userId: "u1", amr: ["pwd"], clientHash: clientBinding(deps.opaqueTokens, ctx) });
    expect(stored?.tokenHash).not.toBe(gate.challenge.mfaToken);
    expect(clientBinding(deps.opaqueTokens, { ...ctx, userAgent: "other" })).not.toBe(stored?.clientHash);
  });

  it("lists a passkey among the methods, and lets a user-verified passkey through at aal2 with no challenge", async () => {
    const { deps, ctx } = setup();
    const now = deps.clock.now();
    deps.mfa.addWebAuthnFactor("u1", now);
    const held = await gateFirstFactor(deps, ctx, { userId: "u1", method: "pwd" });
    if (!("challenge" in held)) throw new Error("expected a challenge");
    expect(held.challenge.factors).toEqual(["webauthn"]);
    const passkey = await gateFirstFactor(deps, ctx, { userId: "u1", method: "swk" });
    expect(passkey).toEqual({ assurance: { amr: ["swk", "user"], acr: "aal2", authTime: now } });
  });
});
