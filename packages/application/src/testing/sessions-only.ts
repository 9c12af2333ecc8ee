import type { LogInResult } from "../auth/log-in.js";
import type { MfaChallengeResult } from "../mfa/mfa-gate.js";

/**
 * A login for tests of users without a second factor: the session it opened, or a failed
 * test when the MFA gate answered a challenge instead.
 */
export function sessionsOnly<I, C>(
  logIn: (input: I, ctx: C) => Promise<LogInResult | MfaChallengeResult>,
): (input: I, ctx: C) => Promise<LogInResult> {
  return async (input, ctx) => {
    const result = await logIn(input, ctx);
    if ("mfaRequired" in result) throw new Error("expected a session, the MFA gate answered a challenge");
    return result;
  };
}
