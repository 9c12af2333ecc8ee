import type { Clock, OneTimeSecrets, RequestContext, UnitOfWork, UserRepository } from "@gatehouse/domain";
import { audit } from "../shared/audit-entry-for.js";
import { FORGOT_PASSWORD_PATH, type LifecyclePolicy } from "../shared/lifecycle-policy.js";
import { queueThrottledMail } from "../shared/throttled-mail.js";

export interface LockoutNoticeDeps {
  readonly users: Pick<UserRepository, "findByEmail">;
  readonly uow: UnitOfWork;
  readonly clock: Clock;
  readonly secrets: OneTimeSecrets;
  readonly policy: Pick<LifecyclePolicy, "publicBaseUrl" | "resendLimits">;
}

/** The audit origin of a notice: the request that tripped the budget is the attacker's. */
const SYSTEM_CONTEXT = (now: Date): RequestContext => ({
  requestId: "lockout-notice",
  ipAddress: null,
  userAgent: null,
  startedAt: now,
});

/**
 * The owner's notice when the untrusted failure budget of their account trips (the caller
 * runs it at most once per budget window): "sign-ins from new devices are paused; a known
 * device still works; reset the password if this was not you", pointing at the forgot-password
 * page. An unknown email gets nothing. The mail goes through the per-address throttle like
 * every mail a stranger's request can cause, so the notice cannot become a mail flood.
 */
export function makeLockoutNotice(deps: LockoutNoticeDeps) {
  return async function sendLockoutNotice(email: string): Promise<void> {
    const user = await deps.users.findByEmail(email);
    if (user === undefined) return;
    const now = deps.clock.now();
    await deps.uow.run(async (tx) => {
      const sent = await queueThrottledMail(tx, deps, deps.policy.resendLimits, {
        to: user.email,
        template: "account-locked",
        data: { username: user.username, resetLink: `${deps.policy.publicBaseUrl}${FORGOT_PASSWORD_PATH}` },
      });
      await audit(tx, deps, SYSTEM_CONTEXT(now), { action: "auth.lockout_notice", userId: user.id, details: { sent } });
    });
  };
}
