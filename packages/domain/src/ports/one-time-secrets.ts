/**
 * Fresh one-time secrets and their keyed hashes. The hash key lives outside the database, so a
 * stolen table does not let anyone test the 10^6 possible codes offline.
 */
export interface OneTimeSecrets {
  /** A 6-digit code from a CSPRNG, zero-padded. */
  newCode(): string;
  /** A link token from a CSPRNG, URL-safe. */
  newLinkToken(): string;
  /** The keyed hash stored in place of `secret`; deterministic, so link tokens can be looked up. */
  hash(secret: string): string;
  /** Whether `secret` hashes to `hash`, compared in constant time. */
  matches(secret: string, hash: string): boolean;
}
