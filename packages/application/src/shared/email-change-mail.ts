import { type Clock, maskEmail, type OneTimeSecrets, type TransactionalRepositories } from "@gatehouse/domain";
import { HOUR_MS, type LifecyclePolicy } from "./lifecycle-policy.js";
import { sendCode } from "./one-time-codes.js";

export interface EmailChangeMailDeps {
  readonly secrets: OneTimeSecrets;
  readonly clock: Clock;
  readonly policy: Pick<LifecyclePolicy, "verificationTtlHours" | "publicBaseUrl" | "resendLimits">;
}

/**
 * The mails of an email change that waits for its new address to be proven, whoever asked for it
 * (the user, or an administrator without `users:write_email`): the `change_email` code to the new
 * address (unless it already belongs to someone, when the caller answers as if it were free) and
 * a notice to the old one naming the new address only masked. Inside the caller's unit of work;
 * the sign-in email changes only when the code is confirmed from the user's own session.
 */
export async function mailEmailChange(
  tx: Pick<TransactionalRepositories, "oneTimeCodes" | "outbox" | "mailThrottle">,
  deps: EmailChangeMailDeps,
  change: {
    readonly userId: string;
    readonly username: string;
    readonly oldEmail: string;
    readonly newEmail: string;
    readonly newAddressTaken: boolean;
  },
): Promise<void> {
  if (!change.newAddressTaken) {
    await sendCode(
      tx,
      { ...deps, publicBaseUrl: deps.policy.publicBaseUrl },
      {
        userId: change.userId,
        username: change.username,
        purpose: "change_email",
        email: change.newEmail,
        ttlMs: deps.policy.verificationTtlHours * HOUR_MS,
      },
    );
  }
  await tx.outbox.enqueue({
    to: change.oldEmail,
    template: "email-change-notice",
    data: { username: change.username, newEmail: maskEmail(change.newEmail) },
  });
}
