import { trace } from "@opentelemetry/api";
import type { FastifyRequest } from "fastify";

/** Span name and `http.route` of requests that matched no route, as the metrics label them. */
const UNMATCHED = "unmatched";

/**
 * Names the request's span (started by the server's tracing, active here) after the route
 * template, `GET /api/v1/admin/users/:id`, never the raw URL: paths carry ids and tokens, and
 * a span name must stay low-cardinality. Unmatched requests keep the bare method.
 */
export async function nameRequestSpan(request: FastifyRequest): Promise<void> {
  const span = trace.getActiveSpan();
  if (span === undefined) return;
  const route = request.routeOptions.url;
  span.updateName(route === undefined ? request.method : `${request.method} ${route}`);
  span.setAttributes({ "http.route": route ?? UNMATCHED, "gatehouse.request_id": request.id });
}
