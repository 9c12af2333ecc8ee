import type {
  AuditAction,
  Clock,
  OpaqueTokens,
  RefreshToken,
  RequestContext,
  TransactionalRepositories,
} from "@gatehouse/domain";
import { audit } from "../shared/audit-entry-for.js";
import { type RefreshTokenPolicy, refreshExpiry, sessionExpiry } from "./session-tokens.js";

export interface OpenSessionDeps {
  readonly opaqueTokens: Pick<OpaqueTokens, "generate">;
  readonly clock: Clock;
  readonly refreshPolicy: RefreshTokenPolicy;
}

/**
 * Starts a session for a proven user inside the caller's transaction: the first refresh token
 * of a new family (its idle end capped by the session's absolute end) and the audit row naming
 * it. Every way of signing in (password, social login) opens a session here, so the two rules
 * of a session's life are written once. Returns the stored token and the secret to hand out.
 */
export async function openSession(
  tx: Pick<TransactionalRepositories, "refreshTokens" | "auditLog">,
  deps: OpenSessionDeps,
  ctx: RequestContext,
  session: { userId: string; now: Date; action: AuditAction; details?: Record<string, unknown> },
): Promise<{ stored: RefreshToken; refreshToken: string }> {
  const refresh = deps.opaqueTokens.generate();
  const sessionExpiresAt = sessionExpiry(session.now, deps.refreshPolicy);
  const stored = await tx.refreshTokens.insert({
    userId: session.userId,
    parentId: null,
    tokenHash: refresh.hash,
    expiresAt: refreshExpiry(session.now, deps.refreshPolicy, sessionExpiresAt),
    sessionExpiresAt,
    userAgent: ctx.userAgent,
    ipAddress: ctx.ipAddress,
  });
  await audit(tx, deps, ctx, {
    action: session.action,
    userId: session.userId,
    details: { ...session.details, session_id: stored.familyId },
  });
  return { stored, refreshToken: refresh.token };
}
