import type { AuditLog } from "@gatehouse/domain";
import type { Database } from "./database.js";
import { auditLogs } from "./schema.js";

export function makeAuditLog(db: Database): AuditLog {
  return {
    async append(entry) {
      await db.insert(auditLogs).values({
        ...entry,
        details: entry.details,
        requestId: entry.requestId?.slice(0, 128) ?? null,
      });
    },
  };
}
