import type { AuditLogQuery, AuditRecord } from "@gatehouse/domain";
import type { FastifyInstance } from "fastify";
import type { AppOptions } from "../../app-deps.js";
import { queryField } from "../form-fields.js";
import type { PageError, PageRenderer } from "../render.js";
import { renderPage } from "../render.js";
import { adminRoute, pageNumber, pagerOf, type RequireOperator, shortTime } from "./admin-guard.js";

const PER_PAGE = 25;
// The filters GET /api/v1/admin/audit-logs validates by schema; a form sends "" for an empty field.
const ACTION = /^[a-z_]+\.[a-z_]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

type Filters = Record<"action" | "actor" | "target" | "from" | "to", string>;

/** The query of the API's audit list from the form's fields, or the fields it refuses. */
function queryOf(filters: Filters, page: number): { query: AuditLogQuery; errors: PageError[] } {
  const errors: PageError[] = [];
  const check = (field: keyof Filters, pattern: RegExp, text: string) => {
    const ok = filters[field] === "" || pattern.test(filters[field]);
    if (!ok) errors.push({ field, text });
    return ok && filters[field] !== "";
  };
  const query: AuditLogQuery = {
    page,
    perPage: PER_PAGE,
    ...(check("action", ACTION, "Action must look like auth.login") ? { action: filters.action } : {}),
    ...(check("actor", UUID, "Actor must be a user id") ? { userId: filters.actor } : {}),
    ...(check("target", UUID, "Target must be a resource id") ? { resourceId: filters.target } : {}),
    // Whole UTC days, both ends inclusive.
    ...(check("from", DAY, "From must be a date") ? { from: new Date(`${filters.from}T00:00:00.000Z`) } : {}),
    ...(check("to", DAY, "To must be a date") ? { to: new Date(`${filters.to}T23:59:59.999Z`) } : {}),
  };
  return { query, errors };
}

/** The before/after of each changed field (`details.changes`), and the rest of the details. */
function diffOf(details: AuditRecord["details"]) {
  const plain = (value: unknown) => (value === null || value === undefined ? "—" : JSON.stringify(value));
  const changes = details?.changes;
  const rows =
    changes !== null && typeof changes === "object"
      ? Object.entries(changes as Record<string, { old?: unknown; new?: unknown }>).map(([field, change]) => ({
          field,
          before: plain(change?.old),
          after: plain(change?.new),
        }))
      : [];
  const rest = Object.fromEntries(Object.entries(details ?? {}).filter(([key]) => key !== "changes"));
  return { rows, rest: Object.keys(rest).length === 0 ? "" : JSON.stringify(rest) };
}

/** `/admin/audit`: `listAuditLogs` (as GET /api/v1/admin/audit-logs) with filters, pages and diffs. */
export function adminAudit(
  app: FastifyInstance,
  options: AppOptions,
  renderer: PageRenderer,
  requireOperator: RequireOperator,
) {
  const { admin } = options.useCases;

  app.get("/admin/audit", adminRoute, async (request, reply) => {
    if ((await requireOperator(request, reply, "audit:read")) === undefined) return reply;
    const filters: Filters = {
      action: queryField(request, "action").trim(),
      actor: queryField(request, "actor").trim(),
      target: queryField(request, "target").trim(),
      from: queryField(request, "from").trim(),
      to: queryField(request, "to").trim(),
    };
    const page = pageNumber(queryField(request, "page"));
    const { query, errors } = queryOf(filters, page);
    const result = errors.length > 0 ? { items: [], totalItems: 0 } : await admin.listAuditLogs(query);
    return renderPage(
      renderer,
      request,
      reply,
      "admin/audit",
      {
        title: "Audit log",
        section: "audit",
        errors,
        values: filters,
        entries: result.items.map((entry) => ({
          id: entry.id,
          at: shortTime(entry.timestamp),
          action: entry.action,
          status: entry.status,
          actor: entry.username ?? entry.userId ?? "anonymous",
          target: entry.resourceId === null ? entry.resourceType : `${entry.resourceType} ${entry.resourceId}`,
          ip: entry.ipAddress ?? "—",
          ...diffOf(entry.details),
        })),
        pager: pagerOf("/admin/audit", filters, page, PER_PAGE, result.totalItems),
      },
      errors.length > 0 ? 400 : 200,
    );
  });
}
