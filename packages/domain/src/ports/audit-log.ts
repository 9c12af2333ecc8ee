import type { AuditEntry, AuditLogQuery, AuditRecord } from "../audit/audit-entry.js";
import type { Page } from "../user/user.js";

/** Append-only audit trail. Written inside the unit of work of the change it records. */
export interface AuditLog {
  /** Appends one entry. */
  append(entry: AuditEntry): Promise<void>;
  /** One page of entries matching every given filter, newest first, with the total count. */
  list(query: AuditLogQuery): Promise<Page<AuditRecord>>;
}
