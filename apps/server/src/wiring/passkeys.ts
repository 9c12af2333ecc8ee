import type { PasskeyLoginUseCases } from "@gatehouse/api";
import { makeLogInWithPasskey, makePasskeyLoginOptions } from "@gatehouse/application";
import type { WebAuthnChallengeStore, WebAuthnCredentialRepository, WebAuthnRelyingParty } from "@gatehouse/domain";
import {
  makeDatabaseWebAuthnChallenges,
  makeMfaRepository,
  makeWebAuthnCredentialRepository,
  makeWebAuthnRelyingParty,
  opaqueTokens,
  RedisWebAuthnChallenges,
} from "@gatehouse/infrastructure";
import { credentialFailuresOf, type Wiring } from "./wiring.js";

export interface PasskeyAdapters {
  readonly credentials: WebAuthnCredentialRepository;
  /** Redis with REDIS_URL (every node sees a challenge), else the database. */
  readonly challenges: WebAuthnChallengeStore;
  readonly relyingParty: WebAuthnRelyingParty;
}

/** The passkey adapters, with the relying party from WEBAUTHN_* only. */
export function passkeyAdaptersOf(w: Pick<Wiring, "database" | "redis" | "config">): PasskeyAdapters {
  return {
    credentials: makeWebAuthnCredentialRepository(w.database.db),
    challenges:
      w.redis === undefined ? makeDatabaseWebAuthnChallenges(w.database.db) : new RedisWebAuthnChallenges(w.redis),
    relyingParty: makeWebAuthnRelyingParty(w.config.mfa.webauthn),
  };
}

/** Passwordless sign-in (PASSKEY_LOGIN=true); undefined leaves its routes out. */
export function wirePasskeyLogin(w: Wiring): PasskeyLoginUseCases | undefined {
  if (!w.config.mfa.passkeyLogin) return undefined;
  const passkeys = passkeyAdaptersOf(w);
  const { clock } = w;
  return {
    passkeyLoginOptions: makePasskeyLoginOptions({ ...passkeys, opaqueTokens, clock }),
    logInWithPasskey: makeLogInWithPasskey({
      ...passkeys,
      users: w.repositories.users,
      uow: w.uow,
      opaqueTokens,
      accessTokens: w.accessTokens,
      clock,
      refreshPolicy: w.policies.refresh,
      credentialFailures: credentialFailuresOf(w),
      mfa: makeMfaRepository(w.database.db),
    }),
  };
}
