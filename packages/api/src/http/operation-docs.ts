import type { FastifySchema, RouteOptions } from "fastify";
import { Type } from "typebox";
import { ERROR_SCHEMA_ID } from "../schemas/envelope.js";
import { referenceComponents } from "./component-docs.js";
import { requiredPermissionDocs } from "./permission-docs.js";
import { rateLimitCategory } from "./rate-limit-hook.js";

type Documented = FastifySchema & { security?: unknown; body?: unknown; response?: Record<string, unknown> };

const RATE_LIMIT_HEADERS = {
  "X-RateLimit-Limit": Type.Integer({ description: "Requests allowed in the window of this route's category" }),
  "X-RateLimit-Remaining": Type.Integer({ description: "Requests left in the current window" }),
  "X-RateLimit-Reset": Type.Integer({ description: "Unix seconds when the oldest counted request leaves the window" }),
};
const RETRY_AFTER = { "Retry-After": Type.Integer({ description: "Seconds to wait before retrying" }) };

/**
 * The @fastify/swagger transform (documentation only; validation and serialization keep the
 * route's own schema): named components as references, the declared permission (`requiredPermissionDocs`), `security: []` on
 * operations that need no token, and on rate-limited routes the `X-RateLimit-*` headers of
 * every answer plus a 429 with `Retry-After`. It reads the same `config` the hooks enforce.
 */
export function operationDocs(input: { schema: FastifySchema; url: string; route: RouteOptions }): {
  schema: FastifySchema;
  url: string;
} {
  const { schema, url } = requiredPermissionDocs(input);
  if (schema === undefined) return { schema, url };
  const documented = { ...(schema as Documented) };
  if (documented.body !== undefined) documented.body = referenceComponents(documented.body);
  if (documented.response !== undefined)
    documented.response = referenceComponents(documented.response) as Documented["response"];
  const config = input.route.config;
  if (documented.security === undefined && config?.auth !== true && config?.permission === undefined) {
    documented.security = [];
  }
  if (rateLimitCategory(config?.rateLimit, input.url) !== "none" && documented.response !== undefined) {
    const responses: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(documented.response)) {
      const headers = status === "429" ? { ...RATE_LIMIT_HEADERS, ...RETRY_AFTER } : RATE_LIMIT_HEADERS;
      responses[status] = { ...(response as object), headers };
    }
    if (responses["429"] === undefined) {
      responses["429"] = Type.Ref(ERROR_SCHEMA_ID, {
        description: "RATE_LIMIT_EXCEEDED: the budget of this route category is spent",
        headers: { ...RATE_LIMIT_HEADERS, ...RETRY_AFTER },
      });
    }
    documented.response = responses;
  }
  return { schema: documented as FastifySchema, url };
}
