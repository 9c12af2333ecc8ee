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
