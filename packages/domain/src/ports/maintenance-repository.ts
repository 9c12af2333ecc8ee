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
}
