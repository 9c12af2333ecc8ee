import {
  type Clock,
  checkEmail,
  normalizeEmail,
  type OneTimeSecrets,
  type RequestContext,
  rateLimitExceeded,
  type UnitOfWork,
  validationError,
} from "@gatehouse/domain";
import { audit } from "../shared/audit-entry-for.js";
import { HOUR_MS, type LifecyclePolicy, registrationExpired } from "../shared/lifecycle-policy.js";
import { sendCode } from "../shared/one-time-codes.js";

export interface ResendVerificationDeps {
  readonly uow: UnitOfWork;
  readonly clock: Clock;
  readonly secrets: OneTimeSecrets;
  readonly policy: LifecyclePolicy;
}

/** A normalized, well-formed address, or a 400 that depends on the input alone. */
export function requireEmail(raw: string): string {
  const email = normalizeEmail(raw);
  const issue = checkEmail(email);
  if (issue) throw validationError([issue]);
  return email;
}

/**
 * Resending the verification code (README, Account lifecycle). The limits (cooldown, per-day cap) count requests per address whether or
 * not an account exists, so pending, unknown and active addresses get the same answer,
 * including the 429. Only a pending, unexpired registration gets a mail; its new code
 * revokes the previous code and link.
 */
export function makeResendVerification(deps: ResendVerificationDeps) {
  const { policy } = deps;
  return async function resendVerification(rawEmail: string, ctx: RequestContext): Promise<void> {
    const email = requireEmail(rawEmail);
    await deps.uow.run(async (tx) => {
      const now = deps.clock.now();
      const verdict = await tx.mailThrottle.take(deps.secrets.hash(`resend:${email}`), policy.resendLimits, now);
      if (!verdict.allowed) {
        throw rateLimitExceeded({ ...verdict, limit: policy.resendLimits.maxPerWindow }, policy.resendLimits);
      }
      const user = await tx.users.findByEmail(email);
      const pending = user?.status === "pending_verification" ? user : undefined;
      const code = pending && (await tx.oneTimeCodes.findLatest(pending.id, "verify_email"));
      // An expired registration is over: it is not renewed, only replaced by registering again.
      const live = pending !== undefined && !registrationExpired(pending, code, now, policy.verificationTtlHours);
      if (pending !== undefined && live) {
        await sendCode(
          tx,
          { ...deps, publicBaseUrl: policy.publicBaseUrl },
          {
            userId: pending.id,
            username: pending.username,
            purpose: "verify_email",
            again: true,
            email,
            ttlMs: policy.verificationTtlHours * HOUR_MS,
          },
        );
      }
      // Written for every request, so the work (and so the timing) hardly depends on the account.
      await audit(tx, deps, ctx, {
        action: "auth.verification_resent",
        userId: live ? (pending?.id ?? null) : null,
        details: { sent: live },
      });
    });
  };
}

export type ResendVerification = ReturnType<typeof makeResendVerification>;
