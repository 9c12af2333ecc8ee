import { type DomainError, ERROR_TABLE, type ErrorCode, isDomainError, type RateLimitDetails } from "@gatehouse/domain";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";

/** An error answer: a code from the error table, its message (default: the table's) and details. */
interface ErrorReply {
  readonly code: ErrorCode;
  readonly message?: string;
  readonly details?: unknown;
}

/** The error envelope, with the status the error table gives the code. */
export function sendError(request: FastifyRequest, reply: FastifyReply, error: ErrorReply): FastifyReply {
  const entry = ERROR_TABLE[error.code];
  return reply.code(entry.status).send({
    success: false,
    error: {
      code: error.code,
      message: error.message ?? entry.message,
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

export function isUnavailable(error: unknown): boolean {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && UNAVAILABLE_CODES.has(code)) return true;
  }
  return false;
}

const NOT_JSON = "Request body is not valid JSON";

/** Maps Fastify's own errors (parsing, limits, validation) to the catalogue. */
function fromFastifyError(error: FastifyError): ErrorReply | undefined {
  if (error.validation) {
    return { code: "VALIDATION_ERROR", details: fieldIssues(error.validation, error.validationContext) };
  }
  switch (error.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { code: "PAYLOAD_TOO_LARGE" };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return { code: "UNSUPPORTED_MEDIA_TYPE" };
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return { code: "VALIDATION_ERROR", message: NOT_JSON };
    default:
      break;
  }
  if (error instanceof SyntaxError) return { code: "VALIDATION_ERROR", message: NOT_JSON };
  if (error.statusCode === 400) return { code: "VALIDATION_ERROR", message: "Malformed request" };
  if (error.statusCode === 413) return { code: "PAYLOAD_TOO_LARGE" };
  if (error.statusCode === 415) return { code: "UNSUPPORTED_MEDIA_TYPE" };
  return undefined;
}

/** A 429 carrying the one rate-limit body (see RateLimitDetails). */
function isRateLimited(
  error: DomainError,
): error is DomainError<"RATE_LIMIT_EXCEEDED"> & { details: RateLimitDetails } {
  if (error.code !== "RATE_LIMIT_EXCEEDED") return false;
  const retryAfter = (error.details as Partial<RateLimitDetails> | undefined)?.retry_after;
  return typeof retryAfter === "number";
}

/** RFC 9470 section 3: the level to come back with and, when the route sets one, the proof's maximum age. */
function stepUpChallenge(error: DomainError): string {
  const maxAge = (error.details as { max_age?: unknown } | undefined)?.max_age;
  const age = typeof maxAge === "number" ? `, max_age=${maxAge}` : "";
  return `Bearer error="insufficient_user_authentication", error_description="${error.message}", acr_values="aal2"${age}`;
}

/**
 * The one place an error becomes a response. Expected failures keep their code and message;
 * anything else is logged in full and answered with a generic 500 or 503, so no stack trace
 * or internal message reaches a client.
 */
export function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (isDomainError(error)) {
    if (isRateLimited(error)) reply.header("retry-after", error.details.retry_after);
    // A shed login (the bounded hashing queue is full) says when to come back too.
    const shedRetry = (error.details as { retry_after?: unknown } | undefined)?.retry_after;
    if (error.code === "SERVICE_UNAVAILABLE" && typeof shedRetry === "number") reply.header("retry-after", shedRetry);
    // RFC 9470: tells the client which level to come back with.
    if (error.code === "INSUFFICIENT_USER_AUTHENTICATION") reply.header("www-authenticate", stepUpChallenge(error));
    return sendError(request, reply, { code: error.code, message: error.message, details: error.details });
  }
  const known = fromFastifyError(error);
  if (known) return sendError(request, reply, known);
  if (isUnavailable(error)) {
    request.log.error({ err: error }, "dependency unavailable");
    return sendError(request, reply, { code: "SERVICE_UNAVAILABLE" });
  }
  request.log.error({ err: error }, "unhandled error");
  return sendError(request, reply, { code: "INTERNAL_ERROR" });
}
