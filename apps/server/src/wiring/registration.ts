import { randomUUID } from "node:crypto";
import type { RegistrationUseCases } from "@gatehouse/api";
import {
  instrumentRegisterUser,
  makeCheckEmail,
  makeRegisterUser,
  makeResendVerification,
  makeVerifyEmail,
} from "@gatehouse/application";
import { keycloakRegistrationCheckOf } from "./keycloak.js";
import type { Wiring } from "./wiring.js";

/** Self-registration and email verification; no check-email with ENUMERATION_PROTECTION. */
export function wireRegistration(w: Wiring): RegistrationUseCases {
  const { uow, clock, secrets } = w;
  const policy = w.policies.lifecycle;
  // Attempts on a code are claimed outside any transaction, so a failed request still counts.
  const codes = w.repositories.oneTimeCodes;
  return {
    registerUser: instrumentRegisterUser(
      makeRegisterUser({
        uow,
        hasher: w.hasher,
        clock,
        passwordPolicy: w.policies.password,
        secrets,
        policy,
        newId: randomUUID,
        ...keycloakRegistrationCheckOf(w),
      }),
      w.telemetry,
    ),
    verifyEmail: makeVerifyEmail({
      codes,
      secrets,
      clock,
      users: w.repositories.users,
      uow,
      policy,
      cache: w.cache,
      revocations: w.revocations,
    }),
    resendVerification: makeResendVerification({ uow, clock, secrets, policy }),
    ...(policy.enumerationProtection ? {} : { checkEmail: makeCheckEmail({ uow, clock, secrets, policy }) }),
  };
}
