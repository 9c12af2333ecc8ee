import type { AuditAction, AuditEntry, Clock, RequestContext, TransactionalRepositories } from "@gatehouse/domain";

/** Builds an audit entry stamped with the request's origin and duration so far. */
export function auditEntryFor(
  clock: Clock,
  ctx: RequestContext,
  entry: {
    action: AuditAction;
    /** The actor (who did it); null for anonymous requests. */
    userId: string | null;
    /** What was acted on; defaults to the actor's own user row. */
    resourceType?: string;
    resourceId?: string | null;
    status?: "success" | "failure";
    details?: Record<string, unknown>;
  },
): AuditEntry {
  const now = clock.now();
  return {
    action: entry.action,
    userId: entry.userId,
    resourceType: entry.resourceType ?? "user",
    resourceId: entry.resourceId === undefined ? entry.userId : entry.resourceId,
    status: entry.status ?? "success",
    details: entry.details ?? null,
    ipAddress: ctx.ipAddress,
    userAgent: ctx.userAgent,
    requestId: ctx.requestId,
    durationMs: Math.max(0, now.getTime() - ctx.startedAt.getTime()),
    timestamp: now,
  };
}

/** Appends the entry of what the request did, in the caller's unit of work. */
export function audit(
  tx: Pick<TransactionalRepositories, "auditLog">,
  deps: { readonly clock: Clock },
  ctx: RequestContext,
  entry: Parameters<typeof auditEntryFor>[2],
): Promise<void> {
  return tx.auditLog.append(auditEntryFor(deps.clock, ctx, entry));
}
