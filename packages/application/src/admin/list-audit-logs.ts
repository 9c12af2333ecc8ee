import type { AuditLog, AuditLogQuery, AuditRecord, Page } from "@gatehouse/domain";

export interface ListAuditLogsDeps {
  readonly auditLog: Pick<AuditLog, "list">;
}

/** The audit trail for administrators (README, Admin API), newest first. */
export function makeListAuditLogs(deps: ListAuditLogsDeps) {
  return (query: AuditLogQuery): Promise<Page<AuditRecord>> => deps.auditLog.list(query);
}

export type ListAuditLogs = ReturnType<typeof makeListAuditLogs>;
