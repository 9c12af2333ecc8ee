import type { Clock, OneTimeSecrets, RequestContext, UnitOfWork } from "@gatehouse/domain";
import { requireEmail } from "../registration/resend-verification.js";
import { audit } from "../shared/audit-entry-for.js";
import type { LifecyclePolicy } from "../shared/lifecycle-policy.js";
import { sendCode } from "../shared/one-time-codes.js";

export interface RequestPasswordResetDeps {
  readonly uow: UnitOfWork;
  readonly clock: Clock;
  readonly secrets: OneTimeSecrets;
  readonly policy: LifecyclePolicy;
}

/**
 * Account recovery, step one. Always ends the same way (the API answers 202 with one body):
 * a live account gets a password-reset mail with a code and a link valid
 * PASSWORD_RESET_TTL_MINUTES, which revokes any older reset code; an unknown address gets
 * nothing. Requests past the per-address limits are dropped silently instead of answered 429,
 * because a 429 here would be the only visible difference.
 */
export function makeRequestPasswordReset(deps: RequestPasswordResetDeps) {
  const { policy } = deps;
  return async function requestPasswordReset(rawEmail: string, ctx: RequestContext): Promise<void> {
    const email = requireEmail(rawEmail);
    await deps.uow.run(async (tx) => {
      const now = deps.clock.now();
      const verdict = await tx.mailThrottle.take(deps.secrets.hash(`reset:${email}`), policy.resendLimits, now);
      const user = verdict.allowed ? await tx.users.findByEmail(email) : undefined;
      if (user !== undefined) {
        await sendCode(
          tx,
          { ...deps, publicBaseUrl: policy.publicBaseUrl },
          {
            userId: user.id,
            username: user.username,
            purpose: "reset_password",
            again: true,
            email: user.email,
            ttlMs: policy.passwordResetTtlMinutes * 60_000,
          },
        );
      }
      await audit(tx, deps, ctx, {
        action: "auth.password_reset_requested",
        userId: user?.id ?? null,
        details: { sent: user !== undefined, ...(verdict.allowed ? {} : { throttled: true }) },
      });
    });
  };
}

export type RequestPasswordReset = ReturnType<typeof makeRequestPasswordReset>;
