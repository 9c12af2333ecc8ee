import type { AccessTokens, RoleGrant, User } from "@gatehouse/domain";
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

/** How long refresh tokens live and how long a just-rotated one may still be presented. */
export interface RefreshTokenPolicy {
  readonly ttlSeconds: number;
  readonly reuseGraceSeconds: number;
}

export function refreshExpiry(now: Date, policy: RefreshTokenPolicy): Date {
  return new Date(now.getTime() + policy.ttlSeconds * 1000);
}

/** Signs the access token for a session and packs it with the new refresh secret. */
export async function packSessionTokens(
  accessTokens: AccessTokens,
  policy: RefreshTokenPolicy,
  session: { user: User; roles: readonly RoleGrant[]; sessionId: string; refreshToken: string },
): Promise<SessionTokens> {
  const access = await accessTokens.issue({
    userId: session.user.id,
    sid: session.sessionId,
    roles: session.roles.map((role) => role.name),
    permissions: permissionsOf(session.roles),
  });
  return {
    accessToken: access.token,
    refreshToken: session.refreshToken,
    tokenType: "Bearer",
    expiresIn: access.expiresIn,
    refreshExpiresIn: policy.ttlSeconds,
    sessionId: session.sessionId,
  };
}
