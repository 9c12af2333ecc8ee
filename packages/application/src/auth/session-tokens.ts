import type { AccessTokens, RoleGrant, SessionAssurance } from "@gatehouse/domain";
import { permissionsOf } from "@gatehouse/domain";

/** What login and refresh hand back to the client. */
export interface SessionTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly tokenType: "Bearer";
  /** Access-token lifetime in seconds. */
  readonly expiresIn: number;
  /** Refresh-token lifetime in seconds. */
  readonly refreshExpiresIn: number;
  readonly sessionId: string;
}

/**
 * How long refresh tokens live unused (the idle timeout), how long a session lives however
 * often it is refreshed (the absolute lifetime), and how long a just-rotated token may still be
 * presented.
 */
export interface RefreshTokenPolicy {
  readonly ttlSeconds: number;
  readonly sessionMaxLifetimeSeconds: number;
  readonly reuseGraceSeconds: number;
}

/** The absolute end of a session started at `now`. */
export function sessionExpiry(now: Date, policy: RefreshTokenPolicy): Date {
  return new Date(now.getTime() + policy.sessionMaxLifetimeSeconds * 1000);
}

/**
 * A new refresh token's end: its idle lifetime from `now`, never past its session's end (when
 * omitted, the repository that knows the session caps it).
 */
export function refreshExpiry(now: Date, policy: RefreshTokenPolicy, sessionExpiresAt?: Date): Date {
  const idleEnd = now.getTime() + policy.ttlSeconds * 1000;
  return new Date(sessionExpiresAt === undefined ? idleEnd : Math.min(idleEnd, sessionExpiresAt.getTime()));
}

/** Signs the access token for a session and packs it with the new refresh secret. */
export async function packSessionTokens(
  accessTokens: AccessTokens,
  policy: RefreshTokenPolicy,
  session: {
    userId: string;
    /** The linked Keycloak account, for the `keycloak_id` claim; null or absent: none. */
    keycloakId?: string | null;
    roles: readonly RoleGrant[];
    sessionId: string;
    refreshToken: string;
    /** The refresh token's end: shorter than the policy's lifetime near the session's end. */
    refreshExpiresAt: Date;
    now: Date;
    /** How the session was authenticated (`amr`, `acr`, `auth_time`). */
    assurance: SessionAssurance;
  },
): Promise<SessionTokens> {
  const access = await accessTokens.issue({
    userId: session.userId,
    keycloakId: session.keycloakId ?? null,
    sid: session.sessionId,
    roles: session.roles.map((role) => role.name),
    permissions: permissionsOf(session.roles),
    assurance: session.assurance,
  });
  return {
    accessToken: access.token,
    refreshToken: session.refreshToken,
    tokenType: "Bearer",
    expiresIn: access.expiresIn,
    refreshExpiresIn: Math.min(
      policy.ttlSeconds,
      Math.max(0, Math.floor((session.refreshExpiresAt.getTime() - session.now.getTime()) / 1000)),
    ),
    sessionId: session.sessionId,
  };
}
