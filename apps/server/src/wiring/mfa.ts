import type { MfaUseCases } from "@gatehouse/api";
import {
  makeConfirmTotpEnrolment,
  makeFinishPasskeyRegistration,
  makeFinishRequiredTotpEnrolment,
  makeListFactors,
  makePasskeySecondFactorOptions,
  makeRegenerateRecoveryCodes,
  makeRemoveFactor,
  makeRequireAssurance,
  makeStartPasskeyRegistration,
  makeStartRequiredTotpEnrolment,
  makeStartTotpEnrolment,
  makeStepUp,
  makeStepUpPasskeyOptions,
  makeVerifyMfaLogin,
} from "@gatehouse/application";
import type { MfaRepository } from "@gatehouse/domain";
import {
  makeMfaRepository,
  makeSecretBox,
  opaqueTokens,
  qrCodes,
  recoveryCodes,
  resolveMfaKeys,
  totp,
} from "@gatehouse/infrastructure";
import { passkeyAdaptersOf } from "./passkeys.js";
import { credentialFailuresOf, type Wiring } from "./wiring.js";

/** The MFA store every token-issuing path hands to the MFA gate (login, federation, refresh). */
export function mfaRepositoryOf(w: Pick<Wiring, "database">): MfaRepository {
  return makeMfaRepository(w.database.db);
}

/** Second factors (TOTP, recovery codes, passkeys): enrolment and management, and the login's second step. */
export function wireMfa(w: Wiring): MfaUseCases {
  const mfa = mfaRepositoryOf(w);
  const { config } = w;
  const secretBox = makeSecretBox(
    resolveMfaKeys(config.mfa, {
      dataDir: config.dataDir,
      production: config.production,
      parentSecret: config.jwt.keyEncryptionKey ?? config.jwt.secret,
    }),
    "mfa",
  );
  const { uow, clock, accessTokens, repositories } = w;
  const manage = {
    mfa,
    recoveryCodes,
    uow,
    clock,
    policy: { mfaPolicy: config.mfa.policy, users: repositories.users },
  };
  const passkeys = { ...passkeyAdaptersOf(w), opaqueTokens, clock };
  // The proof of a second factor, as the login's second step and a step-up both check it.
  const proving = {
    ...passkeys,
    mfa,
    users: repositories.users,
    uow,
    accessTokens,
    credentialFailures: credentialFailuresOf(w),
    totp,
    secretBox,
    recoveryCodes,
  };
  const startTotpEnrolment = makeStartTotpEnrolment({
    users: repositories.users,
    mfa,
    totp,
    secretBox,
    qrCodes,
    clock,
    issuer: w.config.appName,
  });
  const confirmTotpEnrolment = makeConfirmTotpEnrolment({ mfa, totp, secretBox, recoveryCodes, uow, clock });
  return {
    verifyMfaLogin: makeVerifyMfaLogin({ ...proving, refreshPolicy: w.policies.refresh }),
    startTotpEnrolment,
    confirmTotpEnrolment,
    regenerateRecoveryCodes: makeRegenerateRecoveryCodes(manage),
    listFactors: makeListFactors(manage),
    removeFactor: makeRemoveFactor({ uow, clock, mfaPolicy: config.mfa.policy }),
    startPasskeyRegistration: makeStartPasskeyRegistration({ ...passkeys, users: repositories.users, mfa }),
    finishPasskeyRegistration: makeFinishPasskeyRegistration({ ...passkeys, mfa, recoveryCodes, uow }),
    passkeySecondFactorOptions: makePasskeySecondFactorOptions({ ...passkeys, mfa }),
    requireAssurance: makeRequireAssurance({ mfa, clock }),
    stepUp: makeStepUp(proving),
    stepUpPasskeyOptions: makeStepUpPasskeyOptions(passkeys),
    startRequiredTotpEnrolment: makeStartRequiredTotpEnrolment({ mfa, opaqueTokens, clock, startTotpEnrolment }),
    finishRequiredTotpEnrolment: makeFinishRequiredTotpEnrolment({
      mfa,
      opaqueTokens,
      clock,
      confirmTotpEnrolment,
      users: repositories.users,
      uow,
      accessTokens,
      refreshPolicy: w.policies.refresh,
    }),
  };
}
