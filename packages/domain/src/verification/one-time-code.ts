/** What a one-time code proves when it is used. */
export const OneTimeCodePurposes = ["verify_email", "change_email", "reset_password"] as const;
export type OneTimeCodePurpose = (typeof OneTimeCodePurposes)[number];

/** How many wrong codes one issued code survives before it is burned and a new one is needed. */
export const MAX_CODE_ATTEMPTS = 5;

/**
 * A code mailed to a user: a 6-digit code to type and a link token to click, both stored only
 * as keyed hashes. At most one code per user and purpose is live; issuing a new one revokes
 * the older ones.
 */
export interface OneTimeCode {
  readonly id: string;
  readonly userId: string;
  readonly purpose: OneTimeCodePurpose;
  /** The address the code was sent to; for `change_email` the new address it proves. */
  readonly email: string;
  readonly codeHash: string;
  readonly tokenHash: string;
  /** Wrong codes presented so far (every evaluation claims one first). */
  readonly attempts: number;
  readonly expiresAt: Date;
  readonly createdAt: Date;
  /** Set when the code was used successfully. */
  readonly usedAt: Date | null;
  /** Set when a newer code replaced this one, or the change it was for was cancelled. */
  readonly revokedAt: Date | null;
}

export interface NewOneTimeCode {
  readonly userId: string;
  readonly purpose: OneTimeCodePurpose;
  readonly email: string;
  readonly codeHash: string;
  readonly tokenHash: string;
  readonly expiresAt: Date;
}

/** Why a presented code cannot be used, or `usable`. The attempt limit is checked apart, atomically. */
export function judgeCode(code: OneTimeCode, now: Date): "usable" | "expired" | "ended" {
  if (code.usedAt !== null || code.revokedAt !== null) return "ended";
  if (code.expiresAt.getTime() <= now.getTime()) return "expired";
  return "usable";
}
