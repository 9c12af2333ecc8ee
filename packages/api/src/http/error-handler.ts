import { type ErrorCode, isDomainError } from "@gatehouse/domain";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { statusByCode } from "./status-by-code.js";

interface ErrorReply {
  readonly status: number;
  readonly code: ErrorCode;
  readonly message: string;
  readonly details?: unknown;
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: ErrorReply): FastifyReply {
  return reply.code(error.status).send({
    success: false,
    error: {
      code: error.code,
      message: error.message,
      ...(error.details === undefined ? {} : { details: error.details }),
      request_id: request.id,
    },
  });
}

type FastifyValidationIssue = NonNullable<FastifyError["validation"]>[number];

/** Ajv's report as one `{ field, message }` per problem, named the way the client sent it. */
function fieldIssues(issues: readonly FastifyValidationIssue[], context: string | undefined) {
  return issues.map((issue) => {
    const params = issue.params as { missingProperty?: string; additionalProperty?: string };
    const path = issue.instancePath.replace(/^\//, "").replaceAll("/", ".");
    if (params.missingProperty) return { field: params.missingProperty, message: "is required" };
    if (params.additionalProperty) return { field: params.additionalProperty, message: "is not allowed" };
    return { field: path || context || "body", message: issue.message ?? "is invalid" };
  });
}

// Errors that mean a dependency (database, cache) cannot be reached right now.
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "57P01", // admin_shutdown
  "57P03", // cannot_connect_now
  "53300", // too_many_connections
]);

function isUnavailable(error: unknown): boolean {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && UNAVAILABLE_CODES.has(code)) return true;
  }
  return false;
}

/** Maps Fastify's own errors (parsing, limits, validation) to the catalogue. */
function fromFastifyError(error: FastifyError): ErrorReply | undefined {
  if (error.validation) {
    return {
      status: 400,
      code: "VALIDATION_ERROR",
      message: "Input validation failed",
      details: fieldIssues(error.validation, error.validationContext),
    };
  }
  switch (error.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { status: 413, code: "PAYLOAD_TOO_LARGE", message: "Request body is too large" };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return { status: 415, code: "UNSUPPORTED_MEDIA_TYPE", message: "Content-Type must be application/json" };
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return { status: 400, code: "VALIDATION_ERROR", message: "Request body is not valid JSON" };
    default:
      break;
  }
  if (error instanceof SyntaxError) {
    return { status: 400, code: "VALIDATION_ERROR", message: "Request body is not valid JSON" };
  }
  if (error.statusCode === 400) return { status: 400, code: "VALIDATION_ERROR", message: "Malformed request" };
  if (error.statusCode === 413) return { status: 413, code: "PAYLOAD_TOO_LARGE", message: "Request body is too large" };
  if (error.statusCode === 415) {
    return { status: 415, code: "UNSUPPORTED_MEDIA_TYPE", message: "Content-Type must be application/json" };
  }
  return undefined;
}

/**
 * The one place an error becomes a response. Expected failures keep their code and message;
 * anything else is logged in full and answered with a generic 500 or 503, so no stack trace
 * or internal message reaches a client.
 */
export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (isDomainError(error)) {
    const retryAfter = (error.details as { retry_after?: unknown } | undefined)?.retry_after;
    if (error.code === "RATE_LIMIT_EXCEEDED" && typeof retryAfter === "number") {
      reply.header("retry-after", retryAfter);
    }
    return sendError(request, reply, {
      status: statusByCode[error.code],
      code: error.code,
      message: error.message,
      details: error.details,
    });
  }
  const known = fromFastifyError(error);
  if (known) return sendError(request, reply, known);
  if (isUnavailable(error)) {
    request.log.error({ err: error }, "dependency unavailable");
    return sendError(request, reply, {
      status: 503,
      code: "SERVICE_UNAVAILABLE",
      message: "Service temporarily unavailable",
    });
  }
  request.log.error({ err: error }, "unhandled error");
  return sendError(request, reply, { status: 500, code: "INTERNAL_ERROR", message: "Internal server error" });
}
