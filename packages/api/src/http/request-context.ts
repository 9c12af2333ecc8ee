import type { RequestContext } from "@gatehouse/domain";
import type { FastifyRequest } from "fastify";

const MAX_USER_AGENT = 512;

/** Who is asking and from where, for audit entries and session records. */
export function requestContext(request: FastifyRequest): RequestContext {
  const userAgent = request.headers["user-agent"];
  return {
    requestId: request.id,
    ipAddress: request.ip || null,
    userAgent: typeof userAgent === "string" ? userAgent.slice(0, MAX_USER_AGENT) : null,
    startedAt: request.startedAt,
  };
}
