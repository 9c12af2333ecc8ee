import type { Clock, PasswordPolicy, RequestContext } from "@gatehouse/domain";
import type { RefreshTokenPolicy } from "../auth/session-tokens.js";
import type { LifecyclePolicy } from "../shared/lifecycle-policy.js";

export const PASSWORD_POLICY: PasswordPolicy = { minLength: 8, maxLength: 128 };
/** The lifecycle defaults of the README's configuration table: verification on, no approval, no enumeration protection. */
export const LIFECYCLE_POLICY: LifecyclePolicy = {
  requireEmailVerification: true,
  requireAdminApproval: false,
  verificationTtlHours: 24,
  passwordResetTtlMinutes: 15,
  resendLimits: { cooldownSeconds: 60, maxPerWindow: 5, windowSeconds: 86_400 },
  publicBaseUrl: "https://app.example.com",
  enumerationProtection: false,
};
export const REFRESH_POLICY: RefreshTokenPolicy = {
  ttlSeconds: 7 * 86_400,
  sessionMaxLifetimeSeconds: 30 * 86_400,
  reuseGraceSeconds: 10,
};

/** A request context that started `elapsedMs` before the clock's current instant. */
export function requestContext(clock: Clock, overrides: Partial<RequestContext> = {}, elapsedMs = 0): RequestContext {
  return {
    requestId: "req-1",
    ipAddress: "203.0.113.7",
    userAgent: "vitest",
    startedAt: new Date(clock.now().getTime() - elapsedMs),
    ...overrides,
  };
}

/** Runs `work` and returns what it threw; fails when it does not throw. */
export async function caught(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw");
}
