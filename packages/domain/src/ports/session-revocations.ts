/**
 * Which sessions (`sid`s) were ended before their access tokens expire. Checked on every
 * authenticated request, so implementations answer from memory in the common case.
 */
export interface SessionRevocations {
  /** True when access tokens of session `sid` must be refused. */
  isRevoked(sid: string): Promise<boolean>;
  /** Marks sessions revoked; their access tokens fail from the next request on. */
  revoke(sids: readonly string[]): Promise<void>;
}
