/** Password hashing (argon2id in production). Implementations bound how many hashes run at once. */
export interface PasswordHasher {
  /** Hashes `password` with a fresh salt; the result embeds algorithm and parameters. */
  hash(password: string): Promise<string>;
  /**
   * Checks `password` against `hash`. With `hash` undefined (no such user) it verifies
   * against a dummy hash of the same cost and returns false, so an unknown account takes as
   * long to reject as a wrong password.
   */
  verify(password: string, hash: string | undefined): Promise<boolean>;
}
