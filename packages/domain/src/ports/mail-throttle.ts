/** Limits on how often a mail may be sent for one key (an address, an IP). */
export interface ThrottleLimits {
  /** Minimum seconds between two sends. */
  readonly cooldownSeconds: number;
  /** At most this many sends per window. */
  readonly maxPerWindow: number;
  readonly windowSeconds: number;
}

export type ThrottleVerdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

/**
 * Counts sends per key (stored as a keyed hash, never the address itself). Keyed by what was
 * asked for, not by the account, so a limited answer reveals nothing about accounts.
 */
export interface MailThrottle {
  /**
   * Records one send for `key` unless a limit denies it; the check and the record are atomic
   * per key (concurrent callers for one key serialize until the surrounding unit of work ends).
   */
  take(key: string, limits: ThrottleLimits, now: Date): Promise<ThrottleVerdict>;
}
