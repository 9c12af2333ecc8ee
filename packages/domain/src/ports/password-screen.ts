import type { PasswordFeedback } from "../errors/field-issue.js";

/**
 * One source of passwords nobody may choose: the shipped common-password list, an operator-built
 * filter of breached hashes, or an online range check. Asked only for a password being set
 * (registration, change, reset, admin create, bootstrap admin), never at login.
 */
export interface PasswordScreen {
  /** What a refusal says the password is: named in the validation message. */
  readonly refusesAs: "common" | "breached";
  /**
   * Whether the password is refused.
   * @param password the password exactly as typed (hash-based checks hash these bytes)
   * @param candidates its comparison forms: NFKC-normalised and lower-cased, and that form without
   *   trailing digits and symbols ("summer2024" → "summer"); list-based checks look these up
   * An adapter that cannot answer (a network check timing out) decides itself whether that
   * refuses (fail closed) or passes (fail open); it does not throw.
   */
  isRefused(password: string, candidates: readonly string[]): Promise<boolean>;
}

/**
 * Advice on a refused password's strength for the user choosing the next one (never a reason to
 * refuse by itself: the screens decide).
 */
export interface PasswordAdvisor {
  /**
   * @param password the refused password as typed
   * @param userInputs words of the account (email local part, username, product name) the
   *   estimator should treat as guessable
   */
  feedback(password: string, userInputs: readonly string[]): PasswordFeedback;
}
