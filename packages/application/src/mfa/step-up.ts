import {
  type AccessTokenClaims,
  type AccessTokens,
  DomainError,
  type IssuedAccessToken,
  type MfaRepository,
  permissionsOf,
  type RequestContext,
  type SessionAssurance,
  type TransactionalRepositories,
  type UnitOfWork,
  type UserRepository,
  type WebAuthnCredentialRepository,
  type WebAuthnOptionsJson,
  type WebAuthnRelyingParty,
  withSecondFactor,
} from "@gatehouse/domain";
import type { CredentialFailures } from "../auth/credential-attempts.js";
import { audit } from "../shared/audit-entry-for.js";
import { LEGACY_ASSURANCE } from "./mfa-gate.js";
import type { PasskeyChallengeDeps } from "./passkey-challenges.js";
import { secondFactorOptions } from "./passkey-second-factor-options.js";
import {
  noticeRecoveryCodeUse,
  proveWithinBudget,
  type SecondFactorDeps,
  type SecondFactorProof,
} from "./second-factor.js";

/** The caller of a step-up: the user and the session whose level rises. */
export type StepUpCaller = Pick<AccessTokenClaims, "sub" | "sid">;

/**
 * What a step-up's passkey challenge is bound to: the session, hashed like an `mfa_token`, so a
 * challenge issued for one session's step-up signs neither another session's nor a login's.
 */
function stepUpBinding(deps: Pick<PasskeyChallengeDeps, "opaqueTokens">, sessionId: string): string {
  return deps.opaqueTokens.hash(`step-up\n${sessionId}`);
}

export interface StepUpPasskeyOptionsDeps extends PasskeyChallengeDeps {
  readonly credentials: Pick<WebAuthnCredentialRepository, "listForUser">;
  readonly relyingParty: Pick<WebAuthnRelyingParty, "authenticationOptions" | "challengeOf">;
}

/** Options for `navigator.credentials.get()` to step the caller's session up with a passkey. */
export function makeStepUpPasskeyOptions(deps: StepUpPasskeyOptionsDeps) {
  return async function stepUpPasskeyOptions(caller: StepUpCaller): Promise<WebAuthnOptionsJson> {
    return secondFactorOptions(deps, caller.sub, stepUpBinding(deps, caller.sid));
  };
}

export interface StepUpDeps extends SecondFactorDeps {
  readonly mfa: SecondFactorDeps["mfa"] & Pick<MfaRepository, "findSessionAssurance" | "recordSessionAssurance">;
  readonly users: Pick<UserRepository, "find">;
  /** The audit rows and (for a recovery code) the owner's notice mail. */
  readonly uow: UnitOfWork<Pick<TransactionalRepositories, "auditLog" | "outbox">>;
  readonly accessTokens: AccessTokens;
  readonly credentialFailures: CredentialFailures;
}

/** A step-up's answer: a new access token for the same session, at its raised level. */
export interface StepUpResult {
  readonly accessToken: IssuedAccessToken;
  readonly assurance: SessionAssurance;
}

/**
 * RFC 9470 step-up: the caller proves a second factor (the same proofs, budget and audit as a
 * login's second step) and their session's recorded level rises to aal2 with `auth_time`
 * now, so the access token answered here and every token its refresh token yields later
 * satisfy routes that ask for a recent second factor. No new session, no new refresh token.
 */
export function makeStepUp(deps: StepUpDeps) {
  return async function stepUp(
    caller: StepUpCaller,
    proof: SecondFactorProof,
    ctx: RequestContext,
  ): Promise<StepUpResult> {
    const found = await deps.users.find(caller.sub);
    if (found === undefined) throw new DomainError("UNAUTHORIZED");
    const binding = { hash: stepUpBinding(deps, caller.sid), details: { step_up: true } };
    const proven = await proveWithinBudget(deps, ctx, found.user, proof, binding);
    const now = deps.clock.now();
    const current = (await deps.mfa.findSessionAssurance(caller.sid)) ?? LEGACY_ASSURANCE;
    const assurance = withSecondFactor(current, proven, now);
    await deps.mfa.recordSessionAssurance({ sessionId: caller.sid, userId: found.user.id, assurance });
    await deps.uow.run(async (tx) => {
      // Its own action: `mfa.verify` counts sign-ins (the dashboard's series), a step-up is not one.
      const details = { method: proof.method, amr: assurance.amr, session_id: caller.sid };
      await audit(tx, deps, ctx, { action: "mfa.step_up", userId: found.user.id, details });
      if (proof.method === "recovery_code") await noticeRecoveryCodeUse(tx, deps, ctx, found.user);
    });
    const accessToken = await deps.accessTokens.issue({
      userId: found.user.id,
      keycloakId: found.user.keycloakId,
      sid: caller.sid,
      roles: found.roles.map((role) => role.name),
      permissions: permissionsOf(found.roles),
      assurance,
    });
    return { accessToken, assurance };
  };
}

export type StepUp = ReturnType<typeof makeStepUp>;
export type StepUpPasskeyOptions = ReturnType<typeof makeStepUpPasskeyOptions>;
