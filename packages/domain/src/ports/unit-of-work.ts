import type { AuditLog } from "./audit-log.js";
import type { DeviceTokenRepository } from "./device-token-repository.js";
import type { MailOutbox } from "./mail-outbox.js";
import type { MailThrottle } from "./mail-throttle.js";
import type { OneTimeCodeRepository } from "./one-time-code-repository.js";
import type { RefreshTokenRepository } from "./refresh-token-repository.js";
import type { RoleRepository } from "./role-repository.js";
import type { UserRepository } from "./user-repository.js";

/** The repositories bound to one transaction. */
export interface TransactionalRepositories {
  readonly users: UserRepository;
  readonly refreshTokens: RefreshTokenRepository;
  readonly roles: RoleRepository;
  readonly auditLog: AuditLog;
  readonly outbox: MailOutbox;
  readonly oneTimeCodes: OneTimeCodeRepository;
  readonly mailThrottle: MailThrottle;
  readonly deviceTokens: DeviceTokenRepository;
}

/** Runs work in one transaction: all of its writes land, or none do. */
export interface UnitOfWork {
  /**
   * Runs `work` in a transaction and commits when it resolves. When it throws, everything
   * it wrote is rolled back and the error propagates.
   */
  run<T>(work: (repos: TransactionalRepositories) => Promise<T>): Promise<T>;
}
