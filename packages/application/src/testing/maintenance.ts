import type { JobLock, MaintenanceRepository } from "@gatehouse/domain";

/** A cluster lock held in memory; `holdElsewhere` simulates another process owning a lock. */
export class FakeJobLock implements JobLock {
  private readonly held = new Set<string>();
  readonly attempts: string[] = [];

  holdElsewhere(name: string): void {
    this.held.add(name);
  }

  release(name: string): void {
    this.held.delete(name);
  }

  isHeld(name: string): boolean {
    return this.held.has(name);
  }

  async tryRun<T>(name: string, work: () => Promise<T>): Promise<{ acquired: true; result: T } | { acquired: false }> {
    this.attempts.push(name);
    if (this.held.has(name)) return { acquired: false };
    this.held.add(name);
    try {
      return { acquired: true, result: await work() };
    } finally {
      this.held.delete(name);
    }
  }
}

/**
 * Rows kept as the instants that decide their retention (a refresh token's end, an audit
 * entry's timestamp). Deletes take up to `batchSize` rows strictly before the cutoff.
 */
export class FakeMaintenanceRepository implements MaintenanceRepository {
  refreshTokenEnds: Date[] = [];
  auditTimestamps: Date[] = [];
  /** Never-verified registrations as the instant each stops being valid. */
  registrationEnds: Date[] = [];
  /** One-time codes as the instant each ended (used, revoked or expired). */
  oneTimeCodeEnds: Date[] = [];
  throttleRecords: Date[] = [];
  /** Second-factor challenges as the instant each expires. */
  challengeExpiries: Date[] = [];
  /** Session-assurance records whose session no longer has a refresh token. */
  orphanedAssurance = 0;
  readonly calls: Array<{
    readonly table:
      | "refresh_tokens"
      | "audit_logs"
      | "registrations"
      | "one_time_codes"
      | "mail_throttle"
      | "second_factor_challenges";
    readonly cutoff: Date;
    readonly batchSize: number;
    readonly deleted: number;
  }> = [];

  async deleteRefreshTokensEndedBefore(cutoff: Date, batchSize: number): Promise<number> {
    const { kept, deleted } = deleteBatch(this.refreshTokenEnds, cutoff, batchSize);
    this.refreshTokenEnds = kept;
    this.calls.push({ table: "refresh_tokens", cutoff, batchSize, deleted });
    return deleted;
  }

  /** Soft-deletion instants of users not purged yet. */
  deletedUsers: Date[] = [];
  purgedUsers = 0;

  async purgeUsersDeletedBefore(cutoff: Date, batchSize: number): Promise<number> {
    const { kept, deleted } = deleteBatch(this.deletedUsers, cutoff, batchSize);
    this.deletedUsers = kept;
    this.purgedUsers += deleted;
    return deleted;
  }

  async deleteAuditEntriesBefore(cutoff: Date, batchSize: number): Promise<number> {
    const { kept, deleted } = deleteBatch(this.auditTimestamps, cutoff, batchSize);
    this.auditTimestamps = kept;
    this.calls.push({ table: "audit_logs", cutoff, batchSize, deleted });
    return deleted;
  }

  async deleteExpiredRegistrations(_createdBefore: Date, now: Date, batchSize: number): Promise<number> {
    const { kept, deleted } = deleteBatch(this.registrationEnds, new Date(now.getTime() + 1), batchSize);
    this.registrationEnds = kept;
    this.calls.push({ table: "registrations", cutoff: now, batchSize, deleted });
    return deleted;
  }

  async deleteOneTimeCodesEndedBefore(cutoff: Date, batchSize: number): Promise<number> {
    const { kept, deleted } = deleteBatch(this.oneTimeCodeEnds, cutoff, batchSize);
    this.oneTimeCodeEnds = kept;
    this.calls.push({ table: "one_time_codes", cutoff, batchSize, deleted });
    return deleted;
  }

  async deleteThrottleRecordsBefore(cutoff: Date, batchSize: number): Promise<number> {
    const { kept, deleted } = deleteBatch(this.throttleRecords, cutoff, batchSize);
    this.throttleRecords = kept;
    this.calls.push({ table: "mail_throttle", cutoff, batchSize, deleted });
    return deleted;
  }

  async deleteSecondFactorChallengesExpiredBefore(cutoff: Date, batchSize: number): Promise<number> {
    const { kept, deleted } = deleteBatch(this.challengeExpiries, cutoff, batchSize);
    this.challengeExpiries = kept;
    this.calls.push({ table: "second_factor_challenges", cutoff, batchSize, deleted });
    return deleted;
  }

  async deleteOrphanedSessionAssurance(batchSize: number): Promise<number> {
    const deleted = Math.min(batchSize, this.orphanedAssurance);
    this.orphanedAssurance -= deleted;
    return deleted;
  }
}

function deleteBatch(rows: readonly Date[], cutoff: Date, batchSize: number): { kept: Date[]; deleted: number } {
  const kept: Date[] = [];
  let deleted = 0;
  for (const row of rows) {
    if (deleted < batchSize && row.getTime() < cutoff.getTime()) deleted += 1;
    else kept.push(row);
  }
  return { kept, deleted };
}
