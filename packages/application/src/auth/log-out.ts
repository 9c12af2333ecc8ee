import {
  type Clock,
  DomainError,
  type OpaqueTokens,
  type RequestContext,
  type SessionRevocations,
  type UnitOfWork,
} from "@gatehouse/domain";
import { audit } from "../shared/audit-entry-for.js";

export interface LogOutInput {
  /** The signed-in user and the session their access token belongs to. */
  readonly userId: string;
  readonly sessionId: string;
  /** Ends the session of this refresh token instead of the access token's own session. */
  readonly refreshToken?: string;
  /** Ends every session of the user. */
  readonly allDevices?: boolean;
}

export interface LogOutDeps {
  readonly uow: UnitOfWork;
  readonly opaqueTokens: OpaqueTokens;
  readonly revocations: Pick<SessionRevocations, "revoke">;
  readonly clock: Clock;
}

/**
 * Ends one session (the given refresh token's, else the caller's own) or all of them. The
 * sessions' refresh tokens are revoked in the database and their access tokens are refused
 * from the next request on. Logging out an already-ended session succeeds.
 */
export function makeLogOut(deps: LogOutDeps) {
  return async function logOut(input: LogOutInput, ctx: RequestContext): Promise<{ sessionsEnded: number }> {
    const now = deps.clock.now();
    const ended = await deps.uow.run(async (tx) => {
      let families: string[];
      if (input.allDevices === true) {
        families = [input.sessionId, ...(await tx.refreshTokens.revokeAllForUser(input.userId, "logout_all", now))];
        // Signing out everywhere also forgets every device: none keeps its own failure budget.
        await tx.deviceTokens.revokeAllForUser(input.userId, now);
      } else {
        let familyId = input.sessionId;
        if (input.refreshToken !== undefined) {
          const token = await tx.refreshTokens.lockFamilyOf(deps.opaqueTokens.hash(input.refreshToken));
          // Another user's token is treated as unknown: a caller may end only their own sessions.
          if (token === undefined || token.userId !== input.userId) {
            throw new DomainError("REFRESH_TOKEN_INVALID", "Refresh token is invalid");
          }
          familyId = token.familyId;
        }
        await tx.refreshTokens.revokeFamily(familyId, "logout", now);
        families = [familyId];
      }
      const unique = [...new Set(families)];
      await audit(tx, deps, ctx, {
        action: "auth.logout",
        userId: input.userId,
        details: { all_devices: input.allDevices === true, sessions: unique.length },
      });
      return unique;
    });
    await deps.revocations.revoke(ended);
    return { sessionsEnded: ended.length };
  };
}

export type LogOut = ReturnType<typeof makeLogOut>;
