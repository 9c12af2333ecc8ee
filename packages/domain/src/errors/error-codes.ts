/**
 * The one catalogue of error codes (PRD §5.2 plus the codes Gatehouse adds).
 * Every expected failure carries one of these; the API maps each to an HTTP status
 * with an exhaustive record, so adding a code here without a status does not compile.
 */
export const ErrorCodes = [
  "VALIDATION_ERROR",
  "UNAUTHORIZED",
  "INVALID_CREDENTIALS",
  "INVALID_TOKEN",
  "TOKEN_EXPIRED",
  "SESSION_REVOKED",
  "REFRESH_TOKEN_INVALID",
  "REFRESH_TOKEN_EXPIRED",
  "REFRESH_TOKEN_REVOKED",
  "FORBIDDEN",
  "ACCOUNT_DEACTIVATED",
  "ACCOUNT_SUSPENDED",
  "ACCOUNT_NOT_VERIFIED",
  "ACCOUNT_PENDING_APPROVAL",
  "INSUFFICIENT_PERMISSIONS",
  "NOT_FOUND",
  "USER_NOT_FOUND",
  "ROLE_NOT_FOUND",
  "METHOD_NOT_ALLOWED",
  "CONFLICT",
  "DUPLICATE_EMAIL",
  "DUPLICATE_USERNAME",
  "PAYLOAD_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  "INVALID_STATUS_TRANSITION",
  "CANNOT_DELETE_SYSTEM_ROLE",
  "CANNOT_DELETE_SELF",
  "USER_ALREADY_DELETED",
  "USER_NOT_DELETED",
  "SUPER_ADMIN_REQUIRED",
  "CONFIRMATION_MISMATCH",
  "RATE_LIMIT_EXCEEDED",
  "INTERNAL_ERROR",
  "SERVICE_UNAVAILABLE",
  "DATABASE_ERROR",
  "CACHE_ERROR",
] as const;

export type ErrorCode = (typeof ErrorCodes)[number];
