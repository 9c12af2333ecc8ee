import {
  type AccessTokens,
  type Clock,
  DomainError,
  type MfaRepository,
  type OpaqueTokens,
  type RequestContext,
  sessionBlockedError,
  type TransactionalRepositories,
  type UnitOfWork,
  type UserRepository,
  withSecondFactor,
} from "@gatehouse/domain";
import type { LogInResult } from "../auth/log-in.js";
import { openSession } from "../auth/open-session.js";
import type { RefreshTokenPolicy } from "../auth/session-tokens.js";
import type { ConfirmTotpEnrolment } from "./confirm-totp-enrolment.js";
import { issueAssuredTokens, usableChallenge } from "./mfa-gate.js";
import type { StartTotpEnrolment, TotpEnrolment } from "./start-totp-enrolment.js";

export interface RequiredEnrolmentDeps {
  readonly mfa: Pick<MfaRepository, "findChallenge" | "consumeChallenge" | "recordSessionAssurance">;
  readonly opaqueTokens: OpaqueTokens;
  readonly clock: Clock;
}

/** The live enrolment challenge of `mfaToken` from this client, or MFA_TOKEN_INVALID. */
async function enrolmentChallenge(deps: RequiredEnrolmentDeps, mfaToken: string, ctx: RequestContext) {
  const found = await deps.mfa.findChallenge(deps.opaqueTokens.hash(mfaToken), deps.clock.now());
  const challenge = usableChallenge(deps.opaqueTokens, ctx, found, "enrollment");
  if (challenge === undefined) throw new DomainError("MFA_TOKEN_INVALID");
  return challenge;
}

/**
 * The first step of the enrolment MFA_POLICY requires before a login may finish: the same app
 * enrolment as `POST /users/me/mfa/totp`, for the user of an enrolment-only `mfa_token` (left
 * in place: the finish step uses it up). A login token, or one from another client, is
 * MFA_TOKEN_INVALID: such a token can enrol and do nothing else.
 */
export function makeStartRequiredTotpEnrolment(
  deps: RequiredEnrolmentDeps & { readonly startTotpEnrolment: StartTotpEnrolment },
) {
  return async function startRequiredTotpEnrolment(mfaToken: string, ctx: RequestContext): Promise<TotpEnrolment> {
    const challenge = await enrolmentChallenge(deps, mfaToken, ctx);
    return deps.startTotpEnrolment(challenge.userId);
  };
}

export interface FinishRequiredEnrolmentDeps extends RequiredEnrolmentDeps {
  readonly confirmTotpEnrolment: ConfirmTotpEnrolment;
  readonly users: Pick<UserRepository, "find">;
  readonly uow: UnitOfWork<Pick<TransactionalRepositories, "refreshTokens" | "auditLog">>;
  readonly accessTokens: AccessTokens;
  readonly refreshPolicy: RefreshTokenPolicy;
}

/**
 * Confirms the app with its first code (the same use case as the signed-in enrolment: the code
 * is checked and its step spent in one statement, a wrong one leaves the token usable for
 * another try) and then finishes the held login: the token is consumed, and the session opens
 * at aal2, since the password and a code from the new app were both just proven. The answer
 * carries the first recovery codes, shown this once.
 */
export function makeFinishRequiredTotpEnrolment(deps: FinishRequiredEnrolmentDeps) {
  return async function finishRequiredTotpEnrolment(
    input: { readonly mfaToken: string; readonly code: string },
    ctx: RequestContext,
  ): Promise<LogInResult & { readonly recoveryCodes: string[] }> {
    const challenge = await enrolmentChallenge(deps, input.mfaToken, ctx);
    const found = await deps.users.find(challenge.userId);
    if (found === undefined) throw new DomainError("MFA_TOKEN_INVALID");
    const blocked = sessionBlockedError(found.user.status);
    if (blocked !== undefined) throw blocked;
    const { recoveryCodes } = await deps.confirmTotpEnrolment(found.user.id, input.code, ctx);
    const now = deps.clock.now();
    // A parallel finish with the same token enrolled nothing more (the factor is confirmed once);
    // only one of them opens a session, and the other signs in as any enrolled user would.
    const consumed = await deps.mfa.consumeChallenge(challenge.tokenHash, now, "enrollment");
    if (consumed === undefined) throw new DomainError("MFA_TOKEN_INVALID");
    const first = { amr: challenge.amr, acr: "aal1" as const, authTime: challenge.authTime };
    const assurance = withSecondFactor(first, "totp", now);
    const session = await deps.uow.run((tx) =>
      openSession(tx, deps, ctx, {
        userId: found.user.id,
        now,
        action: "mfa.verify",
        details: { method: "totp", amr: assurance.amr, enrolment: true },
      }),
    );
    const tokens = await issueAssuredTokens(deps, found, session, now, assurance);
    return { tokens, user: found.user, roles: found.roles, recoveryCodes };
  };
}

export type StartRequiredTotpEnrolment = ReturnType<typeof makeStartRequiredTotpEnrolment>;
export type FinishRequiredTotpEnrolment = ReturnType<typeof makeFinishRequiredTotpEnrolment>;
