import { randomUUID } from "node:crypto";
import type { AuthUseCases } from "@gatehouse/api";
import {
  instrumentLogIn,
  makeAuthenticate,
  makeAuthorize,
  makeLoadAccess,
  makeLogIn,
  makeLogOut,
  makeRefreshSession,
} from "@gatehouse/application";
import { opaqueTokens } from "@gatehouse/infrastructure";
import { keycloakPasswordCheckOf, keycloakSessionGuardOf, keycloakTokensOf } from "./keycloak.js";
import { mfaRepositoryOf } from "./mfa.js";
import { credentialFailuresOf, type Wiring } from "./wiring.js";

/** Sign-in, token rotation, sign-out, and the per-request token and permission checks. */
export function wireAuth(w: Wiring): AuthUseCases {
  const { uow, clock, accessTokens, revocations, repositories } = w;
  const refreshPolicy = w.policies.refresh;
  const mfa = mfaRepositoryOf(w);
  return {
    logIn: instrumentLogIn(
      makeLogIn({
        users: repositories.users,
        uow,
        hasher: w.hasher,
        opaqueTokens,
        accessTokens,
        clock,
        passwordPolicy: w.policies.password,
        refreshPolicy,
        credentialFailures: credentialFailuresOf(w),
        ...keycloakPasswordCheckOf(w),
        deviceTokenTtlSeconds: w.config.deviceTokenTtlSeconds,
        enumerationProtection: w.policies.lifecycle.enumerationProtection,
        mfa,
        mfaPolicy: w.config.mfa.policy,
      }),
      w.telemetry,
    ),
    refreshSession: makeRefreshSession({
      refreshTokens: repositories.refreshTokens,
      users: repositories.users,
      cache: w.cache,
      newId: randomUUID,
      opaqueTokens,
      accessTokens,
      revocations,
      clock,
      refreshPolicy,
      telemetry: w.telemetry,
      mfa,
      ...keycloakSessionGuardOf(w),
    }),
    logOut: makeLogOut({ uow, opaqueTokens, revocations, clock }),
    authenticate: makeAuthenticate({ accessTokens, revocations, external: keycloakTokensOf(w) }),
    authorize: makeAuthorize({
      loadAccess: makeLoadAccess({ users: repositories.users, cache: w.cache }),
      auditLog: repositories.auditLog,
      clock,
    }),
  };
}
