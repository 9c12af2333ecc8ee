import type { RecoveryUseCases } from "@gatehouse/api";
import { makeRequestPasswordReset, makeResetPassword } from "@gatehouse/application";
import type { Wiring } from "./wiring.js";

/** A forgotten password: request a code, set a new password with it. */
export function wireRecovery(w: Wiring): RecoveryUseCases {
  const { uow, clock, secrets } = w;
  return {
    requestPasswordReset: makeRequestPasswordReset({ uow, clock, secrets, policy: w.policies.lifecycle }),
    resetPassword: makeResetPassword({
      // Attempts on a code are claimed outside any transaction, so a failed request still counts.
      codes: w.repositories.oneTimeCodes,
      secrets,
      clock,
      users: w.repositories.users,
      uow,
      hasher: w.hasher,
      revocations: w.revocations,
      cache: w.cache,
      passwordPolicy: w.policies.password,
    }),
  };
}
