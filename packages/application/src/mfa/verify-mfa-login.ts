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
import type { CredentialFailures } from "../auth/credential-attempts.js";
import type { LogInResult } from "../auth/log-in.js";
import { openSession } from "../auth/open-session.js";
import type { RefreshTokenPolicy } from "../auth/session-tokens.js";
import { recordRefusal } from "../shared/refusals.js";
import { issueAssuredTokens, usableChallenge } from "./mfa-gate.js";
import {
  noticeRecoveryCodeUse,
  proveWithinBudget,
  type SecondFactorDeps,
  type SecondFactorProof,
} from "./second-factor.js";

export type VerifyMfaLoginInput = SecondFactorProof & { readonly mfaToken: string };

export interface VerifyMfaLoginDeps extends SecondFactorDeps {
  readonly mfa: SecondFactorDeps["mfa"] & Pick<MfaRepository, "consumeChallenge" | "recordSessionAssurance">;
  readonly users: Pick<UserRepository, "find">;
  /** The session, its audit rows and (for a recovery code) the owner's notice mail. */
  readonly uow: UnitOfWork<Pick<TransactionalRepositories, "refreshTokens" | "auditLog" | "outbox">>;
  readonly opaqueTokens: OpaqueTokens;
  readonly accessTokens: AccessTokens;
  readonly clock: Clock;
  readonly refreshPolicy: RefreshTokenPolicy;
  /** Wrong codes spend the same failure budget as wrong passwords. */
  readonly credentialFailures: CredentialFailures;
}

const invalidToken = () => new DomainError("MFA_TOKEN_INVALID");

/**
 * Completes a login the MFA gate held: the `mfa_token` is consumed first, in one statement,
 * so it works once whatever happens next (two parallel verifies: one wins, the other gets
 * MFA_TOKEN_INVALID) and a wrong code means logging in again. A token presented by another
 * client (user agent and address) is refused like an unknown one. The code takes a slot of
 * the account's credential-failure budget before it is checked and gives it back once proven,
 * so guessing codes runs into the same 429 as guessing passwords. A passkey assertion must sign
 * the challenge POST /auth/mfa/webauthn/options bound to this token (WEBAUTHN_CHALLENGE_INVALID
 * otherwise). Success opens the session at aal2; a recovery code also mails the owner and is
 * audited on its own.
 */
export function makeVerifyMfaLogin(deps: VerifyMfaLoginDeps) {
  return async function verifyMfaLogin(input: VerifyMfaLoginInput, ctx: RequestContext): Promise<LogInResult> {
    const now = deps.clock.now();
    const tokenHash = deps.opaqueTokens.hash(input.mfaToken);
    const consumed = await deps.mfa.consumeChallenge(tokenHash, now, "login");
    const challenge = usableChallenge(deps.opaqueTokens, ctx, consumed, "login");
    const refuse = (userId: string | null, reason: string) =>
      recordRefusal(deps, ctx, { action: "mfa.verify_failed", userId, details: { method: input.method, reason } });
    if (challenge === undefined) {
      // An enrolment token is not consumed here (consumeChallenge is by purpose): it reads as unknown.
      await refuse(consumed?.userId ?? null, consumed === undefined ? "token_unknown" : "client_mismatch");
      throw invalidToken();
    }
    const found = await deps.users.find(challenge.userId);
    if (found === undefined) throw invalidToken();
    const blocked = sessionBlockedError(found.user.status);
    if (blocked !== undefined) throw blocked;

    const proven = await proveWithinBudget(deps, ctx, found.user, input, { hash: tokenHash, details: {} });

    const first = { amr: challenge.amr, acr: "aal1" as const, authTime: challenge.authTime };
    const assurance = withSecondFactor(first, proven, now);
    const session = await deps.uow.run(async (tx) => {
      const opened = await openSession(tx, deps, ctx, {
        userId: found.user.id,
        now,
        action: "mfa.verify",
        details: { method: input.method, amr: assurance.amr },
      });
      if (input.method === "recovery_code") await noticeRecoveryCodeUse(tx, deps, ctx, found.user);
      return opened;
    });
    const tokens = await issueAssuredTokens(deps, found, session, now, assurance);
    return { tokens, user: found.user, roles: found.roles };
  };
}

export type VerifyMfaLogin = ReturnType<typeof makeVerifyMfaLogin>;
