import type { AuditLog } from "./audit-log.js";
import type { DeviceTokenRepository } from "./device-token-repository.js";
import type { MailOutbox } from "./mail-outbox.js";
import type { MailThrottle } from "./mail-throttle.js";
import type { MfaRepository } from "./mfa-repository.js";
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
  /** Second factors, for a change that removes them in one transaction with its audit (an admin reset). */
  readonly mfa: MfaRepository;
}

/**
 * Runs work in one transaction: all of its writes land, or none do. `R` is what the work may
 * touch: a use case names only the repositories it writes (`UnitOfWork<Pick<TransactionalRepositories,
 * "auditLog">>`), so a caller (or a test) can hand it a unit of work that holds just those, and
 * the full one still fits anywhere a narrower one is asked for.
 */
export interface UnitOfWork<R = TransactionalRepositories> {
  /**
   * Runs `work` in a transaction and commits when it resolves. When it throws, everything
   * it wrote is rolled back and the error propagates.
   */
  run<T>(work: (repos: R) => Promise<T>): Promise<T>;
}
