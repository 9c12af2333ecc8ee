import type { AuditAction, AuditLog, AuditLogQuery, AuditRecord } from "@gatehouse/domain";
import { and, eq, gte, inArray, lte, type SQL, sql } from "drizzle-orm";
import type { Database } from "./database.js";
import { auditLogs, users } from "./schema.js";

function filtersOf(query: AuditLogQuery): SQL | undefined {
  const conditions: Array<SQL | undefined> = [
    query.userId === undefined ? undefined : eq(auditLogs.userId, query.userId),
    query.action === undefined ? undefined : eq(auditLogs.action, query.action),
    query.resourceType === undefined ? undefined : eq(auditLogs.resourceType, query.resourceType),
    query.resourceId === undefined ? undefined : eq(auditLogs.resourceId, query.resourceId),
    query.status === undefined ? undefined : eq(auditLogs.status, query.status),
    query.from === undefined ? undefined : gte(auditLogs.timestamp, query.from),
    query.to === undefined ? undefined : lte(auditLogs.timestamp, query.to),
  ];
  return and(...conditions);
}

// Spelled like the indexes ("timestamp" DESC NULLS LAST) so each filter's index yields the
// page in order; the id breaks ties between entries of the same microsecond.
const newestFirst = [sql`${auditLogs.timestamp} DESC NULLS LAST`, sql`${auditLogs.id} DESC`];

export function makeAuditLog(db: Database): AuditLog {
  return {
    async append(entry) {
      await db.insert(auditLogs).values({
        ...entry,
        details: entry.details,
        requestId: entry.requestId?.slice(0, 128) ?? null,
      });
    },

    async list(query) {
      const where = filtersOf(query);
      const [rows, counted] = await Promise.all([
        db
          .select({ entry: auditLogs, username: users.username })
          .from(auditLogs)
          .leftJoin(users, eq(users.id, auditLogs.userId))
          .where(where)
          .orderBy(...newestFirst)
          .limit(query.perPage)
          .offset((query.page - 1) * query.perPage),
        db.select({ count: sql<number>`count(*)::int` }).from(auditLogs).where(where),
      ]);
      const items: AuditRecord[] = rows.map(({ entry, username }) => ({
        ...entry,
        status: entry.status as AuditRecord["status"],
        action: entry.action as AuditRecord["action"],
        details: entry.details as AuditRecord["details"],
        username,
      }));
      return { items, totalItems: counted[0]?.count ?? 0 };
    },

    async dailyCounts({ actions, since }) {
      if (actions.length === 0) return [];
      const day = sql<string>`to_char(${auditLogs.timestamp} AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;
      const rows = await db
        .select({ day, action: auditLogs.action, count: sql<number>`count(*)::int` })
        .from(auditLogs)
        .where(and(inArray(auditLogs.action, [...actions]), gte(auditLogs.timestamp, since)))
        .groupBy(day, auditLogs.action);
      return rows.map((row) => ({ day: row.day, action: row.action as AuditAction, count: Number(row.count) }));
    },
  };
}
