/** Deletion of data past its retention, used by the cleanup worker. */
export interface MaintenanceRepository {
  /**
   * Deletes up to `batchSize` refresh tokens that expired, or were revoked, before `cutoff`.
   * Returns how many were deleted; 0 means nothing is left.
   */
  deleteRefreshTokensEndedBefore(cutoff: Date, batchSize: number): Promise<number>;
  /** Deletes up to `batchSize` audit entries older than `cutoff`; returns how many. */
  deleteAuditEntriesBefore(cutoff: Date, batchSize: number): Promise<number>;
}
