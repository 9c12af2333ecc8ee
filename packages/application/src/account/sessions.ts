import {
  type ActiveSession,
  type Clock,
  DomainError,
  type RefreshTokenRepository,
  type RequestContext,
  type SessionRevocations,
  type UnitOfWork,
} from "@gatehouse/domain";
import { audit } from "../shared/audit-entry-for.js";

export interface ListSessionsDeps {
  readonly refreshTokens: Pick<RefreshTokenRepository, "listActiveSessions">;
  readonly clock: Clock;
}

/** GET /auth/sessions: the caller's active sessions, most recently used first, theirs marked. */
export function makeListSessions(deps: ListSessionsDeps) {
  return async function listSessions(
    userId: string,
    currentSessionId: string,
  ): Promise<Array<ActiveSession & { current: boolean }>> {
    const sessions = await deps.refreshTokens.listActiveSessions(userId, deps.clock.now());
    return sessions.map((session) => ({ ...session, current: session.id === currentSessionId }));
  };
}

export interface RevokeSessionDeps {
  readonly uow: UnitOfWork;
  readonly clock: Clock;
  readonly revocations: Pick<SessionRevocations, "revoke">;
}

const sessionNotFound = () => new DomainError("NOT_FOUND", "Session not found");

/**
 * DELETE /auth/sessions/{id}: ends one of the caller's sessions (their own included). A
 * session of another user, an ended one and an unknown id are one answer, 404, so session
 * ids cannot be probed (no IDOR).
 */
export function makeRevokeSession(deps: RevokeSessionDeps) {
  return async function revokeSession(
    input: { userId: string; currentSessionId: string; sessionId: string },
    ctx: RequestContext,
  ): Promise<void> {
    const now = deps.clock.now();
    await deps.uow.run(async (tx) => {
      const own = await tx.refreshTokens.listActiveSessions(input.userId, now);
      if (!own.some((session) => session.id === input.sessionId)) throw sessionNotFound();
      // Zero: a concurrent logout or refresh-reuse ended it first; the answer is the same.
      if ((await tx.refreshTokens.revokeFamily(input.sessionId, "logout", now)) === 0) throw sessionNotFound();
      await audit(tx, deps, ctx, {
        action: "auth.session_revoked",
        userId: input.userId,
        resourceType: "session",
        resourceId: input.sessionId,
        details: { current: input.sessionId === input.currentSessionId },
      });
    });
    await deps.revocations.revoke([input.sessionId]);
  };
}

export type ListSessions = ReturnType<typeof makeListSessions>;
export type RevokeSession = ReturnType<typeof makeRevokeSession>;
