import type { AccountUseCases } from "@gatehouse/api";
import {
  makeChangePassword,
  makeConfirmEmailChange,
  makeDeactivateAccount,
  makeDeleteAccount,
  makeGetCurrentUser,
  makeListDevices,
  makeListSessions,
  makeReactivateAccount,
  makeRevokeDevice,
  makeRevokeSession,
  makeUpdateProfile,
} from "@gatehouse/application";
import { credentialFailuresOf, type Wiring } from "./wiring.js";

/** The signed-in user acting on their own account and sessions. */
export function wireAccount(w: Wiring): AccountUseCases {
  const { uow, clock, hasher, cache, revocations, secrets } = w;
  const { users, refreshTokens, oneTimeCodes, deviceTokens } = w.repositories;
  const passwordPolicy = w.policies.password;
  const credentialFailures = credentialFailuresOf(w);
  return {
    getCurrentUser: makeGetCurrentUser({ users, cache }),
    updateProfile: makeUpdateProfile({
      users,
      uow,
      hasher,
      credentialFailures,
      clock,
      secrets,
      policy: w.policies.lifecycle,
      cache,
      revocations,
    }),
    confirmEmailChange: makeConfirmEmailChange({ codes: oneTimeCodes, secrets, clock, users, uow, cache, revocations }),
    changePassword: makeChangePassword({
      users,
      uow,
      hasher,
      credentialFailures,
      clock,
      passwordPolicy,
      revocations,
      cache,
    }),
    deactivateAccount: makeDeactivateAccount({ users, uow, hasher, credentialFailures, clock, revocations, cache }),
    reactivateAccount: makeReactivateAccount({
      users,
      uow,
      hasher,
      credentialFailures,
      clock,
      passwordPolicy,
      cache,
      revocations,
    }),
    deleteAccount: makeDeleteAccount({ users, uow, hasher, credentialFailures, clock, revocations, cache }),
    listSessions: makeListSessions({ refreshTokens, clock }),
    revokeSession: makeRevokeSession({ uow, clock, revocations }),
    listDevices: makeListDevices({ deviceTokens, clock }),
    revokeDevice: makeRevokeDevice({ uow, clock }),
  };
}
