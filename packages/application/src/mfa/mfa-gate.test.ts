import type { MfaPolicy } from "@gatehouse/domain";
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
    const stored = await deps.mfa.consumeChallenge(deps.opaqueTokens.hash(gate.challenge.mfaToken), now, "login");
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

describe("the MFA gate under MFA_POLICY", () => {
  const setup = (mfaPolicy: MfaPolicy) => {
    const deps = { mfa: new FakeMfa(), opaqueTokens: new FakeOpaqueTokens(), clock: new FakeClock(), mfaPolicy };
    return { deps, ctx: requestContext(deps.clock) };
  };

  it("answers an enrolment-only challenge to a user the policy covers who has no factor yet", async () => {
    const { deps, ctx } = setup({ mode: "required_for_roles", roles: ["ops"] });
    const covered = await gateFirstFactor(deps, ctx, { userId: "u1", method: "pwd", roles: [{ name: "ops" }] });
    if (!("challenge" in covered)) throw new Error("expected a challenge");
    expect(covered.challenge).toMatchObject({ mfaRequired: true, enrollmentRequired: true, factors: [] });
    const stored = await deps.mfa.findChallenge(deps.opaqueTokens.hash(covered.challenge.mfaToken), deps.clock.now());
    expect(stored?.purpose).toBe("enrollment");
    // Another role is not covered: aal1 as under the optional policy.
    const other = await gateFirstFactor(deps, ctx, { userId: "u2", method: "fed", roles: [{ name: "user" }] });
    expect(other).toHaveProperty("assurance");
  });

  it("asks a covered user who has a factor for it, as any other (a login challenge, not an enrolment)", async () => {
    const { deps, ctx } = setup({ mode: "required" });
    deps.mfa.addWebAuthnFactor("u1", deps.clock.now());
    const held = await gateFirstFactor(deps, ctx, { userId: "u1", method: "pwd" });
    if (!("challenge" in held)) throw new Error("expected a challenge");
    expect(held.challenge).toMatchObject({ enrollmentRequired: false, factors: ["webauthn"] });
    const stored = await deps.mfa.findChallenge(deps.opaqueTokens.hash(held.challenge.mfaToken), deps.clock.now());
    expect(stored?.purpose).toBe("login");
  });
});
