import {
  type Clock,
  type DeviceToken,
  type DeviceTokenRepository,
  type RateLimitDecision,
  type RateLimiter,
  type RateLimitRefusals,
  type RateLimitRule,
  type RequestContext,
  rateLimitExceeded,
} from "@gatehouse/domain";

/**
 * Progressive delay as a ladder of sliding windows: each step lets `limit` failures through per
 * `windowSeconds`, so the first few failures pass at once and every further one waits longer,
 * never more than the widest window (the cap). A limiter window instead of a sleep keeps the
 * count atomic and shared between instances, and the refusal carries `Retry-After`.
 */
export type DelayLadder = readonly RateLimitRule[];

/** Per (account, client network): 3 at once, then 5 per 8 s, then 7 per 30 s (the 30 s cap). */
export const NETWORK_DELAY_LADDER: DelayLadder = [
  { limit: 3, windowSeconds: 2 },
  { limit: 5, windowSeconds: 8 },
  { limit: 7, windowSeconds: 30 },
];

/** Per client address, across accounts: wider, since one NAT can hide many honest users. */
export const ADDRESS_DELAY_LADDER: DelayLadder = [
  { limit: 12, windowSeconds: 2 },
  { limit: 20, windowSeconds: 8 },
  { limit: 28, windowSeconds: 30 },
];

/**
 * The ladders with no window wider than `maxSeconds` (LOGIN_DELAY_MAX_SECONDS): a lower cap
 * shortens the longest waits; 0 turns the delay off (the budgets still apply).
 */
export function delayLaddersCappedAt(maxSeconds: number): { perNetwork: DelayLadder; perAddress: DelayLadder } {
  const cap = (ladder: DelayLadder) =>
    maxSeconds <= 0 ? [] : ladder.map((step) => ({ ...step, windowSeconds: Math.min(step.windowSeconds, maxSeconds) }));
  return { perNetwork: cap(NETWORK_DELAY_LADDER), perAddress: cap(ADDRESS_DELAY_LADDER) };
}

/**
 * The one failure budget of every password check (login, reactivation, the password prompts
 * inside a session), per the OWASP device-cookie design: a client presenting a live device
 * token of the account spends that device's own budget; every other client spends the
 * account's shared untrusted budget and the progressive delays. When the untrusted budget
 * trips, only untrusted attempts are refused: the owner's known devices still get in.
 */
export interface CredentialFailures {
  readonly limiter: Pick<RateLimiter, "hit" | "refund">;
  /** The budget of one trusted device, and the one all untrusted clients of an account share. */
  readonly rule: RateLimitRule;
  readonly devices: Pick<DeviceTokenRepository, "findLive">;
  /** The stored form of a presented device token (the opaque-token hash). */
  readonly hashDevice: (token: string) => string;
  readonly clock: Clock;
  readonly delays?: { readonly perNetwork: DelayLadder; readonly perAddress: DelayLadder };
  /**
   * Runs once per budget window when the untrusted budget of `email` trips (the owner's
   * notice mail); whether an account exists is for it to find out, not for the caller.
   */
  readonly onUntrustedExhausted?: (email: string) => Promise<void>;
  /** Where each refused attempt is counted once, as `login_failures`, for the admin dashboard. */
  readonly refusals?: RateLimitRefusals;
}

/** A slot taken before the password is evaluated; given back when it is proven (or not evaluated). */
export interface CredentialAttempt {
  giveBack(): Promise<void>;
}

interface Slot {
  readonly key: string;
  readonly rule: RateLimitRule;
}

/**
 * The client network an address belongs to: the /24 of IPv4 (and IPv4-mapped IPv6), the /64
 * of IPv6, since one attacker usually holds many addresses of one network.
 */
export function networkOf(address: string | null): string {
  if (address === null) return "unknown";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const v4 = mapped?.[1] ?? (address.includes(":") ? undefined : address);
  if (v4 !== undefined) return `${v4.split(".").slice(0, 3).join(".")}.0/24`;
  const [head = "", tail] = address.toLowerCase().split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => Number.parseInt(group, 16).toString(16))
    .join(":")}::/64`;
}

/** The live device token `ctx` presents, when it belongs to `userId`; else the client is untrusted. */
export async function trustedDevice(
  failures: Pick<CredentialFailures, "devices" | "hashDevice" | "clock">,
  ctx: Pick<RequestContext, "deviceToken">,
  userId: string | undefined,
): Promise<DeviceToken | undefined> {
  const presented = ctx.deviceToken;
  if (presented === undefined || presented === null || presented === "") return undefined;
  const device = await failures.devices.findLive(failures.hashDevice(presented), failures.clock.now());
  return device !== undefined && device.userId === userId ? device : undefined;
}

/**
 * Takes every slot or none: on the first refusal the slots already taken go back, so a refused
 * attempt (which evaluates nothing) counts in no budget. Returns the refusal, if any.
 */
async function takeAll(
  limiter: CredentialFailures["limiter"],
  slots: readonly Slot[],
): Promise<{ decision: RateLimitDecision; rule: RateLimitRule } | undefined> {
  const decisions = await Promise.all(slots.map((slot) => limiter.hit(slot.key, slot.rule)));
  const refusedAt = decisions.findIndex((decision) => !decision.allowed);
  if (refusedAt === -1) return undefined;
  await Promise.all(
    slots.filter((_, i) => decisions[i]?.allowed === true).map((slot) => limiter.refund(slot.key, slot.rule)),
  );
  // The longest wait among the refusals: retrying sooner would be refused again.
  let worst = refusedAt;
  decisions.forEach((decision, i) => {
    if (!decision.allowed && decision.retryAfterSeconds > (decisions[worst]?.retryAfterSeconds ?? 0)) worst = i;
  });
  return { decision: decisions[worst] as RateLimitDecision, rule: (slots[worst] as Slot).rule };
}

/**
 * Takes the slots one password evaluation of account `email` (user `userId`, undefined when
 * there is none) costs, atomically and before argon2 runs, or throws the 429. Keys depend
 * only on what the client sent (the email as typed, its address, its device token), so a
 * known and an unknown account are refused alike. Trusted: the device's budget only.
 * Untrusted: the delays per (account, network) and per address, then the account's untrusted
 * budget; its refusal also triggers the owner's notice, once per window.
 */
export async function takeCredentialAttempt(
  failures: CredentialFailures,
  attempt: { readonly email: string; readonly userId: string | undefined; readonly ctx: RequestContext },
  onExhausted?: () => Promise<void>,
): Promise<CredentialAttempt> {
  const { limiter, rule } = failures;
  const device = await trustedDevice(failures, attempt.ctx, attempt.userId);
  const taken: Slot[] = [];
  const refuse = async (refusal: { decision: RateLimitDecision; rule: RateLimitRule }) => {
    await Promise.all(taken.map((slot) => limiter.refund(slot.key, slot.rule)));
    failures.refusals?.record("login_failures");
    await onExhausted?.();
    return rateLimitExceeded(refusal.decision, refusal.rule);
  };
  if (device === undefined) {
    const ladders = failures.delays ?? { perNetwork: NETWORK_DELAY_LADDER, perAddress: ADDRESS_DELAY_LADDER };
    const network = networkOf(attempt.ctx.ipAddress);
    const address = attempt.ctx.ipAddress ?? "unknown";
    const delays: Slot[] = [
      ...ladders.perNetwork.map((step, i) => ({
        key: `login_failures:delay:${i}:${attempt.email}:${network}`,
        rule: step,
      })),
      ...ladders.perAddress.map((step, i) => ({ key: `login_failures:delay:${i}:ip:${address}`, rule: step })),
    ];
    const delayed = await takeAll(limiter, delays);
    if (delayed !== undefined) throw await refuse(delayed);
    taken.push(...delays);
  }
  const budget: Slot = {
    key: device === undefined ? `login_failures:untrusted:${attempt.email}` : `login_failures:device:${device.id}`,
    rule,
  };
  const spent = await takeAll(limiter, [budget]);
  if (spent !== undefined) {
    const error = await refuse(spent);
    if (device === undefined) await noticeOnce(failures, attempt.email);
    throw error;
  }
  taken.push(budget);
  return { giveBack: () => Promise.all(taken.map((slot) => limiter.refund(slot.key, slot.rule))).then(() => {}) };
}

/** The owner's notice, at most once per budget window per account (the limiter keeps the count). */
async function noticeOnce(failures: CredentialFailures, email: string): Promise<void> {
  if (failures.onUntrustedExhausted === undefined) return;
  const once = { limit: 1, windowSeconds: failures.rule.windowSeconds };
  if ((await failures.limiter.hit(`lockout_notice:${email}`, once)).allowed) {
    await failures.onUntrustedExhausted(email);
  }
}
