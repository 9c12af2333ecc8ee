import {
  type Clock,
  type OneTimeSecrets,
  type RequestContext,
  rateLimitExceeded,
  type UnitOfWork,
} from "@gatehouse/domain";
import { type LifecyclePolicy, registrationExpired } from "../shared/lifecycle-policy.js";
import { requireEmail } from "./resend-verification.js";

export interface CheckEmailDeps {
  readonly uow: UnitOfWork;
  readonly clock: Clock;
  readonly secrets: OneTimeSecrets;
  readonly policy: Pick<LifecyclePolicy, "verificationTtlHours">;
}

/** Per client IP: this endpoint answers whether an address is taken, so it must not be a bulk oracle. */
export const CHECK_EMAIL_LIMITS = { cooldownSeconds: 0, maxPerWindow: 30, windowSeconds: 60 } as const;

/**
 * Whether an address can be registered: free, or held only by an expired never-verified
 * registration (which registering replaces). Rate-limited per IP. The API does not expose it
 * when ENUMERATION_PROTECTION is on.
 */
export function makeCheckEmail(deps: CheckEmailDeps) {
  return async function checkEmailAvailable(rawEmail: string, ctx: RequestContext): Promise<boolean> {
    const email = requireEmail(rawEmail);
    return deps.uow.run(async (tx) => {
      const now = deps.clock.now();
      const verdict = await tx.mailThrottle.take(
        deps.secrets.hash(`check-email:${ctx.ipAddress ?? "unknown"}`),
        CHECK_EMAIL_LIMITS,
        now,
      );
      if (!verdict.allowed) {
        throw rateLimitExceeded({ ...verdict, limit: CHECK_EMAIL_LIMITS.maxPerWindow }, CHECK_EMAIL_LIMITS);
      }
      const holder = await tx.users.findByEmail(email);
      if (holder === undefined) return true;
      if (holder.status !== "pending_verification") return false;
      const code = await tx.oneTimeCodes.findLatest(holder.id, "verify_email");
      return registrationExpired(holder, code, now, deps.policy.verificationTtlHours);
    });
  };
}

export type CheckEmail = ReturnType<typeof makeCheckEmail>;
