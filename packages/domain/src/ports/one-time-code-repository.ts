import type { NewOneTimeCode, OneTimeCode, OneTimeCodePurpose } from "../verification/one-time-code.js";

/** Persistence of one-time codes (email verification, email change, password reset). */
export interface OneTimeCodeRepository {
  /**
   * Revokes every unused code of the user for `code.purpose` and stores `code` as the one live
   * code, atomically: two concurrent issues for the same user and purpose serialize, and the
   * store never holds two live codes for one user and purpose.
   */
  issue(code: NewOneTimeCode, at: Date): Promise<OneTimeCode>;
  /** The newest code of the user for `purpose` that was neither used nor revoked (it may have expired). */
  findLatest(userId: string, purpose: OneTimeCodePurpose): Promise<OneTimeCode | undefined>;
  /** The code whose link token hashes to `tokenHash`, in whatever state, if any. */
  findByTokenHash(tokenHash: string): Promise<OneTimeCode | undefined>;
  /**
   * Claims one evaluation of the code: increments its attempt counter only while it is unused,
   * unrevoked and below `maxAttempts`, in one conditional statement, so concurrent guesses can
   * never evaluate it more than `maxAttempts` times. Returns false when the code is burned.
   */
  claimAttempt(id: string, maxAttempts: number): Promise<boolean>;
  /** Marks the code used if it still is unused and unrevoked; false when someone else used it first. */
  consume(id: string, at: Date): Promise<boolean>;
  /** Revokes the user's unused codes for `purpose`; returns how many. */
  revokeAll(userId: string, purpose: OneTimeCodePurpose, at: Date): Promise<number>;
}
