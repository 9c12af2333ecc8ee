import type { Clock, OneTimeSecrets, OutgoingMail, ThrottleLimits, TransactionalRepositories } from "@gatehouse/domain";

/**
 * The one per-address throttle every mail a request can cause goes through (codes, registration
 * attempts): a mail to an address is queued only while that address is within `limits`
 * (RESEND_COOLDOWN_SECONDS apart, RESEND_MAX_PER_DAY a day), counted under a keyed hash of the
 * address whatever the account, so eight registrations or four email changes naming someone's
 * address in a minute send one mail. `again` marks a mail the recipient asked for again (resend,
 * reset): its own request limit already waited out the cooldown, so only the daily count
 * applies. Returns whether the mail was queued; a dropped mail is silent, like a sent one.
 * Notices of the owner's own credential changes (password changed, email change) do not come
 * here: only the signed-in owner causes them, and a flood of other mails must not suppress them.
 */
export async function queueThrottledMail(
  tx: Pick<TransactionalRepositories, "mailThrottle" | "outbox">,
  deps: { readonly secrets: OneTimeSecrets; readonly clock: Clock },
  limits: ThrottleLimits,
  mail: OutgoingMail,
  again = false,
): Promise<boolean> {
  const applied = again ? { ...limits, cooldownSeconds: 0 } : limits;
  const verdict = await tx.mailThrottle.take(deps.secrets.hash(`mail:${mail.to}`), applied, deps.clock.now());
  if (!verdict.allowed) return false;
  await tx.outbox.enqueue(mail);
  return true;
}
