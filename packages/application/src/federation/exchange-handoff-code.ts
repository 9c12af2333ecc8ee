import {
  type AccessTokens,
  type Clock,
  DomainError,
  type FederationUnitOfWork,
  type IdentityProviders,
  type MfaRepository,
  type OpaqueTokens,
  type RequestContext,
  sessionBlockedError,
} from "@gatehouse/domain";
import type { LogInResult } from "../auth/log-in.js";
import { openSession } from "../auth/open-session.js";
import type { RefreshTokenPolicy } from "../auth/session-tokens.js";
import { gateFirstFactor, issueAssuredTokens, type MfaChallengeResult, type MfaGateDeps } from "../mfa/mfa-gate.js";
import { recordRefusal } from "../shared/refusals.js";

export interface ExchangeHandoffCodeInput {
  readonly code: string;
  readonly codeVerifier?: string;
}

export interface ExchangeHandoffCodeDeps {
  readonly federationUow: FederationUnitOfWork;
  readonly providers: Pick<IdentityProviders, "codeChallengeOf">;
  readonly opaqueTokens: OpaqueTokens;
  readonly accessTokens: AccessTokens;
  readonly clock: Clock;
  readonly refreshPolicy: RefreshTokenPolicy;
  /** Second factors: a user with one gets the MFA challenge, not tokens. */
  readonly mfa: MfaGateDeps["mfa"] & Pick<MfaRepository, "recordSessionAssurance">;
  /** MFA_POLICY: a user it covers who has no factor gets an enrolment-only challenge. */
  readonly mfaPolicy?: MfaGateDeps["mfaPolicy"];
}

/**
 * Step 4: the app trades its one-time code (and, when it sent a challenge, the PKCE verifier)
 * for the login answer. The code is consumed before anything is checked, in its own
 * transaction, so a second use fails however the first ended; unknown, reused, expired and
 * wrong-verifier codes answer the same 400. A user with a second factor gets the MFA
 * challenge instead of tokens, like a password login.
 */
export function makeExchangeHandoffCode(deps: ExchangeHandoffCodeDeps) {
  return async function exchangeHandoffCode(
    input: ExchangeHandoffCodeInput,
    ctx: RequestContext,
  ): Promise<LogInResult | MfaChallengeResult> {
    const code = await deps.federationUow.run((tx) =>
      tx.federationFlows.consumeHandoff(deps.opaqueTokens.hash(input.code)),
    );
    const now = deps.clock.now();
    let reason: string | undefined;
    if (code === undefined) reason = "code_unknown";
    else if (code.expiresAt <= now) reason = "code_expired";
    else if (code.codeChallenge !== null) {
      const challenge =
        input.codeVerifier === undefined ? undefined : await deps.providers.codeChallengeOf(input.codeVerifier);
      if (challenge !== code.codeChallenge) reason = "code_verifier_mismatch";
    }
    if (code === undefined || reason !== undefined) {
      await recordRefusal({ uow: deps.federationUow, clock: deps.clock }, ctx, {
        action: "auth.oauth_failed",
        userId: code?.userId ?? null,
        details: { provider: code?.provider ?? null, reason },
      });
      throw new DomainError("OAUTH_CODE_INVALID");
    }
    const owner = await deps.federationUow.run((tx) => tx.users.find(code.userId));
    if (owner === undefined) throw new DomainError("OAUTH_CODE_INVALID");
    const blocked = sessionBlockedError(owner.user.status);
    if (blocked !== undefined) throw blocked;
    const gate = await gateFirstFactor(deps, ctx, { userId: owner.user.id, method: "fed", roles: owner.roles });
    if ("challenge" in gate) return gate.challenge;
    const session = await deps.federationUow.run(async (tx) => {
      const found = await tx.users.find(code.userId);
      if (found === undefined) throw new DomainError("OAUTH_CODE_INVALID");
      const blockedNow = sessionBlockedError(found.user.status);
      if (blockedNow !== undefined) throw blockedNow;
      const opened = await openSession(tx, deps, ctx, {
        userId: found.user.id,
        now,
        action: "auth.oauth_login",
        details: { provider: code.provider },
      });
      return { found, ...opened };
    });
    const tokens = await issueAssuredTokens(deps, session.found, session, now, gate.assurance);
    return { tokens, user: session.found.user, roles: session.found.roles };
  };
}

export type ExchangeHandoffCode = ReturnType<typeof makeExchangeHandoffCode>;
