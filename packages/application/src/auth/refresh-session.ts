import {
  type AccessTokens,
  type Clock,
  DomainError,
  judgePresentedToken,
  type OpaqueTokens,
  type PresentedTokenVerdict,
  type RefreshToken,
  type RequestContext,
  type SessionRevocations,
  sessionBlockedError,
  type Telemetry,
  type TokenRefreshOutcome,
  type TransactionalRepositories,
  type UnitOfWork,
  type UserWithRoles,
} from "@gatehouse/domain";
import { audit } from "../shared/audit-entry-for.js";
import { packSessionTokens, type RefreshTokenPolicy, refreshExpiry, type SessionTokens } from "./session-tokens.js";

export interface RefreshSessionDeps {
  readonly uow: UnitOfWork;
  readonly opaqueTokens: OpaqueTokens;
  readonly accessTokens: AccessTokens;
  readonly revocations: Pick<SessionRevocations, "revoke">;
  readonly clock: Clock;
  readonly refreshPolicy: RefreshTokenPolicy;
  /** Counts each verdict (`gatehouse_token_refresh_total`); only this use case knows grace from rotation. */
  readonly telemetry?: Pick<Telemetry, "tokenRefresh">;
}

const OUTCOME_BY_VERDICT = {
  rotate: "rotated",
  grace: "grace",
  reuse: "reuse_detected",
  expired: "expired",
  revoked: "revoked",
} as const satisfies Record<PresentedTokenVerdict, TokenRefreshOutcome>;

/**
 * Inside the transaction a refresh either rotates (and commits) or ends the family (and
 * commits that too, then fails). Failures that change nothing are thrown directly.
 */
type Outcome =
  | { readonly kind: "rotated"; readonly account: UserWithRoles; readonly next: RefreshToken; readonly now: Date }
  | { readonly kind: "family_ended"; readonly familyId: string; readonly error: DomainError };

const revokedError = () => new DomainError("REFRESH_TOKEN_REVOKED", "Refresh token has been revoked");

/**
 * Refresh-token rotation (ARCHITECTURE, Refresh tokens and sessions). The family is locked for the whole
 * decision, so concurrent refreshes are serialized and a family never holds two active tokens.
 * A token rotated within the grace window gets a fresh token for the same family (lost
 * response, racing tabs); one rotated earlier is a replay, and the whole family is revoked.
 */
export function makeRefreshSession(deps: RefreshSessionDeps) {
  async function decide(
    tx: TransactionalRepositories,
    presentedHash: string,
    nextSecret: { hash: string },
    ctx: RequestContext,
  ): Promise<Outcome> {
    const presented = await tx.refreshTokens.lockFamilyOf(presentedHash);
    if (presented === undefined) {
      deps.telemetry?.tokenRefresh("invalid");
      throw new DomainError("REFRESH_TOKEN_INVALID", "Refresh token is invalid");
    }
    const now = deps.clock.now();
    const verdict = judgePresentedToken(presented, now, deps.refreshPolicy.reuseGraceSeconds);
    deps.telemetry?.tokenRefresh(OUTCOME_BY_VERDICT[verdict]);
    if (verdict === "expired") throw new DomainError("REFRESH_TOKEN_EXPIRED", "Refresh token has expired");
    if (verdict === "revoked") throw revokedError();
    if (verdict === "reuse") {
      await tx.refreshTokens.revokeFamily(presented.familyId, "reuse_detected", now);
      await audit(tx, deps, ctx, {
        action: "auth.refresh_reuse_detected",
        userId: presented.userId,
        status: "failure",
        details: { session_id: presented.familyId, token_id: presented.id },
      });
      return { kind: "family_ended", familyId: presented.familyId, error: revokedError() };
    }

    const current = verdict === "rotate" ? presented : await tx.refreshTokens.findActiveInFamily(presented.familyId);
    if (current === undefined) throw revokedError(); // the family ended meanwhile (logout)
    // A grace re-issue must not outlive the session either.
    if (current.sessionExpiresAt.getTime() <= now.getTime()) {
      throw new DomainError("REFRESH_TOKEN_EXPIRED", "Refresh token has expired");
    }

    const account = await tx.users.find(presented.userId);
    const blocked = account === undefined ? revokedError() : sessionBlockedError(account.user.status);
    if (account === undefined || blocked) {
      await tx.refreshTokens.revokeFamily(presented.familyId, "account_inactive", now);
      return { kind: "family_ended", familyId: presented.familyId, error: blocked ?? revokedError() };
    }

    // Independent writes of one unit of work go out together; the adapter keeps their order.
    const [next] = await Promise.all([
      tx.refreshTokens.rotate(
        current,
        {
          tokenHash: nextSecret.hash,
          expiresAt: refreshExpiry(now, deps.refreshPolicy, current.sessionExpiresAt),
          userAgent: ctx.userAgent,
          ipAddress: ctx.ipAddress,
        },
        now,
      ),
      audit(tx, deps, ctx, {
        action: "auth.refresh",
        userId: presented.userId,
        details: { session_id: presented.familyId, grace_reissue: verdict === "grace" },
      }),
    ]);
    return { kind: "rotated", account, next, now };
  }

  return async function refreshSession(refreshToken: string, ctx: RequestContext): Promise<SessionTokens> {
    const presentedHash = deps.opaqueTokens.hash(refreshToken);
    const nextSecret = deps.opaqueTokens.generate();
    const outcome = await deps.uow.run((tx) => decide(tx, presentedHash, nextSecret, ctx));
    if (outcome.kind === "family_ended") {
      await deps.revocations.revoke([outcome.familyId]);
      throw outcome.error;
    }
    return packSessionTokens(deps.accessTokens, deps.refreshPolicy, {
      user: outcome.account.user,
      roles: outcome.account.roles,
      sessionId: outcome.next.familyId,
      refreshToken: nextSecret.token,
      refreshExpiresAt: outcome.next.expiresAt,
      now: outcome.now,
    });
  };
}

export type RefreshSession = ReturnType<typeof makeRefreshSession>;
