import {
  type AccessTokens,
  type Cache,
  type Clock,
  DomainError,
  type MfaRepository,
  type OpaqueTokens,
  type RefreshTokenPresentationResult,
  type RefreshTokenRepository,
  type RequestContext,
  type SessionRevocations,
  sessionBlockedError,
  type Telemetry,
  type TokenRefreshOutcome,
  type UnitOfWork,
  type UserRepository,
} from "@gatehouse/domain";
import { LEGACY_ASSURANCE } from "../mfa/mfa-gate.js";
import { audit, auditEntryFor } from "../shared/audit-entry-for.js";
import { loadGrants, loadKeycloakId } from "./load-access.js";
import { packSessionTokens, type RefreshTokenPolicy, refreshExpiry, type SessionTokens } from "./session-tokens.js";

/**
 * Another system's session the Gatehouse session depends on (a Keycloak session:
 * `keycloak/keycloak-session-guard.ts`), asked after each rotation: false ends the session.
 */
export type SessionGuard = (session: { readonly familyId: string; readonly userId: string }) => Promise<boolean>;

export interface RefreshSessionDeps {
  readonly refreshTokens: Pick<RefreshTokenRepository, "present">;
  /** The owner's role grants for the new access token, through the `permissions:{id}` cache. */
  readonly users: Pick<UserRepository, "find">;
  readonly cache: Cache;
  /** Makes the successor's id: the repository stores it under that id. */
  readonly newId: () => string;
  readonly opaqueTokens: OpaqueTokens;
  readonly accessTokens: AccessTokens;
  readonly revocations: Pick<SessionRevocations, "revoke">;
  readonly clock: Clock;
  readonly refreshPolicy: RefreshTokenPolicy;
  /**
   * Counts each verdict (`gatehouse_token_refresh_total`; only this use case knows grace from
   * rotation) and the family it ends (`gatehouse_revocations_total`: the repository revokes it
   * in its own atomic step, outside the instrumented unit of work).
   */
  readonly telemetry?: Pick<Telemetry, "tokenRefresh" | "revocations">;
  /** The session's recorded assurance, copied into the new access token as it is. */
  readonly mfa: Pick<MfaRepository, "findSessionAssurance">;
  /**
   * Ends the session when the session it depends on elsewhere has ended (`check`), in one
   * transaction of `uow` with its `auth.session_revoked` audit row; none: nothing to ask.
   */
  readonly sessionGuard?: { readonly check: SessionGuard; readonly uow: UnitOfWork };
}

const OUTCOME_BY_VERDICT = {
  invalid: "invalid",
  rotate: "rotated",
  grace: "grace",
  retry: "retry",
  reuse: "reuse_detected",
  expired: "expired",
  revoked: "revoked",
  inactive: "revoked",
} as const satisfies Record<RefreshTokenPresentationResult["verdict"], TokenRefreshOutcome>;

const revokedError = () => new DomainError("REFRESH_TOKEN_REVOKED", "Refresh token has been revoked");

/**
 * Refresh-token rotation (ARCHITECTURE, Refresh tokens and sessions). The repository decides and
 * writes in one atomic step with the family locked, so concurrent refreshes are serialized and a
 * family never holds two active tokens. A token rotated within the grace window gets a fresh
 * token for the same family (lost response, racing tabs); so does one rotated earlier whose
 * successor nobody has presented yet (`retry`: a client retrying after a 503 that came after
 * the commit, however long the outage lasted). Any other token rotated earlier is a replay,
 * and the whole family is revoked. Neither passes the session's absolute end. The new access
 * token carries the session's recorded `amr`/`acr`/`auth_time`: a refresh never raises them.
 */
export function makeRefreshSession(deps: RefreshSessionDeps) {
  return async function refreshSession(refreshToken: string, ctx: RequestContext): Promise<SessionTokens> {
    const nextSecret = deps.opaqueTokens.generate();
    const now = deps.clock.now();
    const result = await deps.refreshTokens.present({
      tokenHash: deps.opaqueTokens.hash(refreshToken),
      next: {
        id: deps.newId(),
        tokenHash: nextSecret.hash,
        // The repository caps it at the session's end, which only it reads.
        expiresAt: refreshExpiry(now, deps.refreshPolicy),
        userAgent: ctx.userAgent,
        ipAddress: ctx.ipAddress,
      },
      now,
      graceSeconds: deps.refreshPolicy.reuseGraceSeconds,
      origin: auditEntryFor(deps.clock, ctx, { action: "auth.refresh", userId: null }),
    });
    deps.telemetry?.tokenRefresh(OUTCOME_BY_VERDICT[result.verdict]);
    switch (result.verdict) {
      case "invalid":
        throw new DomainError("REFRESH_TOKEN_INVALID", "Refresh token is invalid");
      case "expired":
        throw new DomainError("REFRESH_TOKEN_EXPIRED", "Refresh token has expired");
      case "revoked":
        throw revokedError();
      case "reuse":
      case "inactive": {
        deps.telemetry?.revocations(result.verdict === "reuse" ? "reuse_detected" : "account_inactive", 1);
        await deps.revocations.revoke([result.familyId]);
        const status = result.verdict === "inactive" ? result.userStatus : null;
        throw (status === null ? undefined : sessionBlockedError(status)) ?? revokedError();
      }
    }
    if (deps.sessionGuard !== undefined && !(await deps.sessionGuard.check(result))) {
      // Answered as any revoked session: the family (with the successor just stored) ends, audited
      // like a session an owner ended, with the reason.
      await deps.sessionGuard.uow.run(async (tx) => {
        await tx.refreshTokens.revokeFamily(result.familyId, "identity_backend_ended", now);
        await audit(tx, deps, ctx, {
          action: "auth.session_revoked",
          userId: result.userId,
          resourceType: "session",
          resourceId: result.familyId,
          details: { reason: "identity_backend_ended" },
        });
      });
      deps.telemetry?.revocations("identity_backend_ended", 1);
      await deps.revocations.revoke([result.familyId]);
      throw revokedError();
    }
    const roles = await loadGrants(deps, result.userId);
    if (roles === undefined) throw revokedError(); // the owner was blocked right after the rotation
    return packSessionTokens(deps.accessTokens, deps.refreshPolicy, {
      userId: result.userId,
      keycloakId: await loadKeycloakId(deps, result.userId),
      roles,
      sessionId: result.familyId,
      refreshToken: nextSecret.token,
      refreshExpiresAt: result.expiresAt,
      now,
      assurance: (await deps.mfa.findSessionAssurance(result.familyId)) ?? LEGACY_ASSURANCE,
    });
  };
}

export type RefreshSession = ReturnType<typeof makeRefreshSession>;
