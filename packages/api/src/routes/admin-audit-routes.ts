import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { ApiUseCases } from "../app-deps.js";
import { AuditLogPage, AuditLogQuerystring } from "../schemas/admin-schemas.js";
import { Envelope, errorResponses, ok } from "../schemas/envelope.js";
import { paginationOf } from "./user-response.js";

/** PRD §4.5.3: the audit trail, newest first. */
export const adminAuditRoutes: FastifyPluginAsyncTypebox<{ useCases: ApiUseCases }> = async (app, { useCases }) => {
  app.get(
    "/api/v1/admin/audit-logs",
    {
      config: { permission: "audit:read" },
      schema: {
        tags: ["admin: audit"],
        security: [{ bearerAuth: [] }],
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
      const page = q.page === undefined ? 1 : Number(q.page);
      const perPage = q.per_page === undefined ? 50 : Number(q.per_page);
      const result = await useCases.listAuditLogs({
        page,
        perPage,
        ...(q.user_id === undefined ? {} : { userId: q.user_id }),
        ...(q.action === undefined ? {} : { action: q.action }),
        ...(q.resource_type === undefined ? {} : { resourceType: q.resource_type }),
        ...(q.resource_id === undefined ? {} : { resourceId: q.resource_id }),
        ...(q.status === undefined ? {} : { status: q.status }),
        ...(q.from === undefined ? {} : { from: new Date(q.from) }),
        ...(q.to === undefined ? {} : { to: new Date(q.to) }),
      });
      return ok({
        items: result.items.map((entry) => ({
          id: entry.id,
          timestamp: entry.timestamp.toISOString(),
          user_id: entry.userId,
          username: entry.username,
          action: entry.action,
          resource_type: entry.resourceType,
          resource_id: entry.resourceId,
          ip_address: entry.ipAddress,
          user_agent: entry.userAgent,
          request_id: entry.requestId,
          status: entry.status,
          details: entry.details === null ? null : { ...entry.details },
          duration_ms: entry.durationMs,
        })),
        pagination: paginationOf(page, perPage, result.totalItems),
      });
    },
  );
};
