/**
 * Password hashing (argon2id in production). Implementations bound how many hashes run at once.
 * Besides their own format they verify the formats of imported accounts (bcrypt, scrypt, PBKDF2,
 * Firebase scrypt, other argon2 parameters), so users moved from another system keep their
 * passwords; a proven password in such a format is re-hashed at once (`needsRehash`).
 */
export interface PasswordHasher {
  /** Hashes `password` with a fresh salt; the result embeds algorithm and parameters. */
  hash(password: string): Promise<string>;
  /**
   * Checks `password` against `hash`. With `hash` undefined (no such user), or in no format this
   * hasher knows, it verifies against a dummy hash of the same cost and returns false, so an
   * unknown account takes as long to reject as a wrong password.
   */
  verify(password: string, hash: string | undefined): Promise<boolean>;
  /**
   * The name of the format of `hash` (`argon2id`, `bcrypt`, `scrypt`, `pbkdf2-sha256`,
   * `firescrypt`…) when this hasher can verify it and its parameters are within the bounds it
   * accepts, else undefined: an import refuses such a hash instead of storing a dead account.
   */
  formatOf(hash: string): string | undefined;
  /**
   * True when `hash`, once its password is proven, should be replaced by `hash(password)`:
   * another format, or argon2 with weaker parameters than the current ones.
   */
  needsRehash(hash: string): boolean;
}
