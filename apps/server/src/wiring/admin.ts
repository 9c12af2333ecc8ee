import type { AdminUseCases } from "@gatehouse/api";
import {
  makeApproveUser,
  makeCreateUser,
  makeDeleteUser,
  makeDeleteUserPermanently,
  makeGetDailyActivity,
  makeGetUser,
  makeGetUserStatistics,
  makeImportUsers,
  makeListAuditLogs,
  makeListUsers,
  makeReactivateUser,
  makeResetUserMfa,
  makeRestoreUser,
  makeRevokeUserSessions,
  makeSuspendUser,
  makeUpdateUser,
} from "@gatehouse/application";
import type { Wiring } from "./wiring.js";

/** An administrator acting on other users, and the audit log. */
export function wireAdmin(w: Wiring): AdminUseCases {
  const { uow, clock } = w;
  const { users, auditLog } = w.repositories;
  // What every administrative change to a user needs: one transaction, then revocation and cache invalidation.
  const change = { uow, clock, cache: w.cache, revocations: w.revocations };
  return {
    listUsers: makeListUsers({ users }),
    getUserStatistics: makeGetUserStatistics({ users, clock }),
    getDailyActivity: makeGetDailyActivity({ auditLog, refusals: w.refusalLog, clock }),
    getUser: makeGetUser({ users }),
    createUser: makeCreateUser({ uow, users, hasher: w.hasher, clock, passwordPolicy: w.policies.password }),
    // An admin-set email without users:write_email is mailed a code like the user's own change.
    updateUser: makeUpdateUser({ ...change, secrets: w.secrets, policy: w.policies.lifecycle }),
    deleteUser: makeDeleteUser(change),
    restoreUser: makeRestoreUser(change),
    deleteUserPermanently: makeDeleteUserPermanently(change),
    approveUser: makeApproveUser(change),
    suspendUser: makeSuspendUser(change),
    reactivateUser: makeReactivateUser(change),
    resetUserMfa: makeResetUserMfa(change),
    revokeUserSessions: makeRevokeUserSessions(change),
    listAuditLogs: makeListAuditLogs({ auditLog }),
    importUsers: makeImportUsers({ uow, users, hasher: w.hasher, clock }),
  };
}
