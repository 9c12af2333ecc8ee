import { type TSchema, Type } from "typebox";

/** The success envelope around `data`. */
export function Envelope<T extends TSchema>(data: T) {
  return Type.Object({ success: Type.Literal(true), data, message: Type.Optional(Type.String()) });
}

export const MessageOnly = Type.Object(
  { success: Type.Literal(true), message: Type.String() },
  { $id: "MessageResponse", description: "A success without data" },
);

/** The error envelope's component name; responses refer to it with `Type.Ref(ERROR_SCHEMA_ID)`. */
export const ERROR_SCHEMA_ID = "Error";

export const ErrorBody = Type.Object(
  {
    success: Type.Literal(false),
    error: Type.Object({
      code: Type.String({ description: "Stable code from the error catalogue, e.g. VALIDATION_ERROR" }),
      message: Type.String(),
      details: Type.Optional(Type.Unknown()),
      request_id: Type.String(),
    }),
  },
  { $id: ERROR_SCHEMA_ID, description: "The error envelope" },
);

const ERROR_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: "VALIDATION_ERROR: malformed JSON or invalid fields (one details entry per field); INVALID_VERIFICATION_CODE; INVALID_RESET_TOKEN",
  401: "UNAUTHORIZED, INVALID_CREDENTIALS, INVALID_TOKEN, TOKEN_EXPIRED, SESSION_REVOKED or REFRESH_TOKEN_*",
  403:
    "ACCOUNT_DEACTIVATED, ACCOUNT_SUSPENDED, ACCOUNT_NOT_VERIFIED, ACCOUNT_PENDING_APPROVAL, FORBIDDEN, " +
    "INSUFFICIENT_PERMISSIONS (details.required_permission) or PRIVILEGE_ESCALATION",
  404: "NOT_FOUND, USER_NOT_FOUND, ROLE_NOT_FOUND or PERMISSION_NOT_FOUND",
  409: "DUPLICATE_EMAIL, DUPLICATE_USERNAME, DUPLICATE_ROLE, DUPLICATE_PERMISSION, ROLE_IN_USE or ALREADY_VERIFIED",
  410: "VERIFICATION_EXPIRED: register again (or request a new code while the registration lasts)",
  413: "PAYLOAD_TOO_LARGE: body over the limit",
  415: "UNSUPPORTED_MEDIA_TYPE: send application/json",
  422: "A business rule refused the change, e.g. CANNOT_MODIFY_SYSTEM_ROLE, CANNOT_DELETE_SYSTEM_ROLE, LAST_SUPER_ADMIN",
  429: "RATE_LIMIT_EXCEEDED: the budget of this route category is spent; Retry-After and details.retry_after say when to retry",
  500: "INTERNAL_ERROR",
  503: "SERVICE_UNAVAILABLE or DATABASE_ERROR",
};

/** Error responses a route documents, by status. */
export function errorResponses(...statuses: number[]): Record<number, unknown> {
  const responses: Record<number, unknown> = {};
  for (const status of [...statuses, 500, 503]) {
    responses[status] = Type.Ref(ERROR_SCHEMA_ID, { description: ERROR_DESCRIPTIONS[status] });
  }
  return responses;
}

export function ok<T>(data: T, message?: string) {
  return message === undefined ? { success: true as const, data } : { success: true as const, data, message };
}

/** A success without data: `{ success: true, message }` (the MessageOnly schema). */
export function done(message: string) {
  return { success: true as const, message };
}
