import type { TransactionalRepositories, UnitOfWork } from "@gatehouse/domain";
import { makeAuditLog } from "./audit-log.js";
import type { Database } from "./database.js";
import { makeDeviceTokenRepository } from "./device-token-repository.js";
import { makeMailOutbox } from "./mail-outbox.js";
import { makeMailThrottle } from "./mail-throttle.js";
import { makeMfaRepository } from "./mfa-repository.js";
import { makeOneTimeCodeRepository } from "./one-time-code-repository.js";
import { makeRefreshTokenRepository } from "./refresh-token-repository.js";
import { makeRoleRepository } from "./role-repository.js";
import { makeUserRepository } from "./user-repository.js";

export function repositoriesOn(db: Database): TransactionalRepositories {
  return {
    users: makeUserRepository(db),
    refreshTokens: makeRefreshTokenRepository(db),
    roles: makeRoleRepository(db),
    auditLog: makeAuditLog(db),
    outbox: makeMailOutbox(db),
    oneTimeCodes: makeOneTimeCodeRepository(db),
    mailThrottle: makeMailThrottle(db),
    deviceTokens: makeDeviceTokenRepository(db),
    mfa: makeMfaRepository(db),
  };
}

/** Each `run` is one database transaction (READ COMMITTED; families are serialized by locks). */
export function makeUnitOfWork(db: Database): UnitOfWork {
  return {
    run: (work) => db.transaction((tx) => work(repositoriesOn(tx as unknown as Database))),
  };
}
