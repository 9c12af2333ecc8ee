import type { FastifyInstance } from "fastify";
import type { AppOptions } from "../app-deps.js";
import { requestUserId } from "./request-context.js";

/** The `route` label of requests that matched no route (404, 405, malformed URLs). */
export const UNMATCHED_ROUTE = "unmatched";

/** The path without its query string: queries may carry tokens (verification links). */
export function pathOf(url: string): string {
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}

/**
 * One access-log line and one request metric per response. The line names the user behind the
 * request, by bearer token or by hosted-page session, so a page's actions can be traced too.
 */
export function registerAccessLog(
  app: FastifyInstance,
  logger: AppOptions["logger"],
  telemetry: AppOptions["telemetry"],
): void {
  // The access line holds only the fields below, never a body, a header or a query, so it
  // skips the logger's wildcard redaction, which cost more than the rest of a cheap request.
  const accessLog = logger.child({}, { redact: { paths: [] } });
  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url;
    // Unmatched requests share one label value, so random paths cannot create series.
    telemetry?.httpRequest(request.method, route ?? UNMATCHED_ROUTE, reply.statusCode, reply.elapsedTime / 1000);
    accessLog.info(
      {
        reqId: request.id,
        method: request.method,
        route: route ?? null,
        url: pathOf(request.url),
        status: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime * 100) / 100,
        user_id: requestUserId(request),
      },
      "request",
    );
  });
}
