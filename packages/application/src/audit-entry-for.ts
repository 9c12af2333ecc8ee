import type { AuditAction, AuditEntry, Clock, RequestContext } from "@gatehouse/domain";

/** Builds an audit entry stamped with the request's origin and duration so far. */
export function auditEntryFor(
  clock: Clock,
  ctx: RequestContext,
  entry: {
    action: AuditAction;
    userId: string | null;
    status?: "success" | "failure";
    details?: Record<string, unknown>;
  },
): AuditEntry {
  const now = clock.now();
  return {
    action: entry.action,
    userId: entry.userId,
    resourceType: "user",
    resourceId: entry.userId,
    status: entry.status ?? "success",
    details: entry.details ?? null,
    ipAddress: ctx.ipAddress,
    userAgent: ctx.userAgent,
    requestId: ctx.requestId,
    durationMs: Math.max(0, now.getTime() - ctx.startedAt.getTime()),
    timestamp: now,
  };
}
