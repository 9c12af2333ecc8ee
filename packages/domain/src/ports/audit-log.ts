import type { AuditEntry } from "../audit/audit-entry.js";

/** Append-only audit trail. Written inside the unit of work of the change it records. */
export interface AuditLog {
  /** Appends one entry. */
  append(entry: AuditEntry): Promise<void>;
}
