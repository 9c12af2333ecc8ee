import { definedFields } from "../../http/defined-fields.js";
import { AuditLogPage, AuditLogQuerystring } from "../../schemas/admin-schemas.js";
import { Envelope, errorResponses, ok } from "../../schemas/envelope.js";
import { auditEntryResponse, paginationOf } from "../responses.js";
import { bearer, type RoutesPlugin } from "../routes-plugin.js";
import { integerOr } from "./query.js";

/** GET /api/v1/admin/audit-logs: the audit trail, newest first. */
export const auditLogRoutes: RoutesPlugin = async (app, { options }) => {
  const { admin } = options.useCases;

  app.get(
    "/api/v1/admin/audit-logs",
    {
      config: { permission: "audit:read" },
      schema: {
        tags: ["admin: audit"],
        security: bearer,
        operationId: "adminListAuditLogs",
        summary: "List audit log entries",
        description:
          "Newest first. Every filter is optional and they combine with AND; `from`/`to` are inclusive ISO 8601 " +
          "date-times. Each entry carries the actor's username (null when anonymous or purged).",
        querystring: AuditLogQuerystring,
        response: { 200: Envelope(AuditLogPage), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const q = request.query;
      const page = integerOr(q.page, 1);
      const perPage = integerOr(q.per_page, 50);
      const result = await admin.listAuditLogs({
        page,
        perPage,
        ...definedFields({
          userId: q.user_id,
          action: q.action,
          resourceType: q.resource_type,
          resourceId: q.resource_id,
          status: q.status,
          from: q.from === undefined ? undefined : new Date(q.from),
          to: q.to === undefined ? undefined : new Date(q.to),
        }),
      });
      return ok({
        items: result.items.map(auditEntryResponse),
        pagination: paginationOf(page, perPage, result.totalItems),
      });
    },
  );
};
