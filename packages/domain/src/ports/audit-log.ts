import type { AuditAction, AuditEntry, AuditLogQuery, AuditRecord } from "../audit/audit-entry.js";
import type { Page } from "../user/user.js";

/** Append-only audit trail. Written inside the unit of work of the change it records. */
export interface AuditLog {
  /** Appends one entry. */
  append(entry: AuditEntry): Promise<void>;
  /** One page of entries matching every given filter, newest first, with the total count. */
  list(query: AuditLogQuery): Promise<Page<AuditRecord>>;
  /**
   * How many entries of each of `actions` every UTC day from `since` on holds, as
   * `{ day: "YYYY-MM-DD", action, count }`; days and actions with none are absent.
   */
  dailyCounts(query: {
    readonly actions: readonly AuditAction[];
    readonly since: Date;
  }): Promise<Array<{ readonly day: string; readonly action: AuditAction; readonly count: number }>>;
}
