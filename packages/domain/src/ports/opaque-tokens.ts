/** Opaque secrets (refresh tokens) and the hashes they are stored under. */
export interface OpaqueTokens {
  /** A new random secret for the client and the hash to store in its place. */
  generate(): { readonly token: string; readonly hash: string };
  /** The stored form of a presented secret; deterministic, so it can be looked up. */
  hash(token: string): string;
}
