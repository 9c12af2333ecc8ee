import type { Clock, DeviceTokenRepository } from "@gatehouse/domain";
import type { CredentialFailures } from "../auth/credential-attempts.js";
import { FakeRateLimiter } from "./rate-limiter.js";
import { FakeOpaqueTokens } from "./security.js";

/** The production budget: 10 failures per 15 minutes per device, and per account for the untrusted. */
export const FAILURE_BUDGET = { limit: 10, windowSeconds: 900 };

/**
 * The failure budgets of a unit test: a windowless fake limiter, device tokens from `devices`
 * (the in-memory database's), hashed as `FakeOpaqueTokens` hashes them. No progressive delay
 * unless a test asks for one: the fake limiter never forgets, so a ladder would only ever refuse.
 */
export function credentialFailuresOn(
  devices: Pick<DeviceTokenRepository, "findLive">,
  clock: Clock,
  overrides: Partial<CredentialFailures> = {},
): CredentialFailures & { readonly limiter: FakeRateLimiter } {
  return {
    limiter: new FakeRateLimiter(),
    rule: FAILURE_BUDGET,
    devices,
    hashDevice: FakeOpaqueTokens.hashOf,
    clock,
    delays: { perNetwork: [], perAddress: [] },
    ...overrides,
  } as CredentialFailures & { readonly limiter: FakeRateLimiter };
}
