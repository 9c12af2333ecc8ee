import { DomainError } from "@gatehouse/domain";
import { describe, expect, it } from "vitest";
import { FakeClock, FakeMfa } from "../testing/index.js";
import { makeRequireAssurance } from "./require-assurance.js";

describe("the step-up check", () => {
  const setup = async (withFactor: boolean) => {
    const deps = { mfa: new FakeMfa(), clock: new FakeClock() };
    if (withFactor) {
      const now = deps.clock.now();
      const factor = await deps.mfa.startTotp({ userId: "u1", secretCiphertext: "sealed", now });
      await deps.mfa.acceptTotpStep({ factorId: factor?.id ?? "", timeStep: 1, now, confirm: true });
    }
    const nowSeconds = () => Math.floor(deps.clock.now().getTime() / 1000);
    return { deps, requireAssurance: makeRequireAssurance(deps), nowSeconds };
  };
  const refusal = (promise: Promise<void>) =>
    promise.then(
      () => undefined,
      (error: unknown) => error,
    );

  it("passes an aal2 token proven within max_age and refuses it one second later, saying what to come back with", async () => {
    const { deps, requireAssurance, nowSeconds } = await setup(true);
    const claims = { sub: "u1", acr: "aal2" as const, auth_time: nowSeconds() };
    deps.clock.advanceSeconds(300);
    await expect(requireAssurance(claims, { maxAgeSeconds: 300 })).resolves.toBeUndefined();
    deps.clock.advanceSeconds(1);
    const error = await refusal(requireAssurance(claims, { maxAgeSeconds: 300 }));
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({
      code: "INSUFFICIENT_USER_AUTHENTICATION",
      details: { acr_values: "aal2", max_age: 300 },
    });
    // Without a max age, any aal2 token will do.
    await expect(requireAssurance(claims, {})).resolves.toBeUndefined();
  });

  it("refuses an aal1 token of a guarded account, with no max_age when the route sets none", async () => {
    const { requireAssurance, nowSeconds } = await setup(true);
    const error = await refusal(requireAssurance({ sub: "u1", acr: "aal1", auth_time: nowSeconds() }, {}));
    expect(error).toMatchObject({ code: "INSUFFICIENT_USER_AUTHENTICATION", details: { acr_values: "aal2" } });
    expect((error as DomainError).details).not.toHaveProperty("max_age");
    // A token older than MFA (no acr, no auth_time) counts as aal1 proven at the epoch.
    expect(await refusal(requireAssurance({ sub: "u1" }, { maxAgeSeconds: 60 }))).toBeInstanceOf(DomainError);
  });

  it("lets a user without a confirmed factor through: a pending enrolment guards nothing", async () => {
    const { deps, requireAssurance } = await setup(false);
    await deps.mfa.startTotp({ userId: "u1", secretCiphertext: "sealed", now: deps.clock.now() });
    await expect(requireAssurance({ sub: "u1", acr: "aal1" }, { maxAgeSeconds: 300 })).resolves.toBeUndefined();
  });
});
