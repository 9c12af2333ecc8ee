/** Deletion of data past its retention, used by the cleanup worker. */
export interface MaintenanceRepository {
  /**
   * Deletes up to `batchSize` refresh tokens that expired, or were revoked, before `cutoff`,
   * in families that no longer hold a token active past `cutoff` (a live session keeps its
   * rotated tokens, so replaying one is still detected). Returns how many were deleted.
   */
  deleteRefreshTokensEndedBefore(cutoff: Date, batchSize: number): Promise<number>;
  /** Deletes up to `batchSize` audit entries older than `cutoff`; returns how many. */
  deleteAuditEntriesBefore(cutoff: Date, batchSize: number): Promise<number>;
  /**
   * Anonymises up to `batchSize` users soft-deleted before `cutoff` and not purged yet: email,
   * username, password hash, name and phone are replaced, sessions and role grants deleted,
   * `purged_at` set, and a `user.purged` audit row written for each, in one transaction. Audit
   * rows about the user are kept. Returns how many were purged.
   */
  purgeUsersDeletedBefore(cutoff: Date, batchSize: number): Promise<number>;
  /**
   * Deletes up to `batchSize` never-verified registrations that expired (created before
   * `createdBefore`, no verification code valid at `now`), freeing their email and username, and
   * writes one `user.registration_expired` audit row for each in the same statement. Returns how many.
   */
  deleteExpiredRegistrations(createdBefore: Date, now: Date, batchSize: number): Promise<number>;
  /** Deletes up to `batchSize` one-time codes used, revoked or expired before `cutoff`; returns how many. */
  deleteOneTimeCodesEndedBefore(cutoff: Date, batchSize: number): Promise<number>;
  /** Deletes up to `batchSize` mail-throttle records older than `cutoff`; returns how many. */
  deleteThrottleRecordsBefore(cutoff: Date, batchSize: number): Promise<number>;
  /**
   * Deletes up to `batchSize` second-factor challenges (login and enrolment `mfa_token`s, passkey
   * ceremony challenges kept in the database) that expired before `cutoff`; returns how many.
   */
  deleteSecondFactorChallengesExpiredBefore(cutoff: Date, batchSize: number): Promise<number>;
  /**
   * Deletes up to `batchSize` session-assurance records whose session has no refresh token
   * left (the retention delete removed the family); returns how many.
   */
  deleteOrphanedSessionAssurance(batchSize: number): Promise<number>;
}
