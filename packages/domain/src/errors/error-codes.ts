import type { FieldIssue } from "./field-issue.js";

/** One row of the error table: the HTTP status a code answers with and its default message. */
export interface ErrorEntry {
  readonly status: number;
  readonly message: string;
  /**
   * Documented in the contract (README "Error codes") but thrown by nothing today: kept so
   * clients can rely on the name, and so a future use of it needs no new code.
   */
  readonly reserved?: true;
}

/**
 * The one error table: every stable code, its HTTP status and default message. The API
 * answers a DomainError with `ERROR_TABLE[code].status`; adding a code is one line here (and
 * one row in the README's table, which a test compares with this one).
 */
export const ERROR_TABLE = {
  VALIDATION_ERROR: { status: 400, message: "Input validation failed" },
  INVALID_VERIFICATION_CODE: { status: 400, message: "Verification code is invalid" },
  INVALID_RESET_TOKEN: { status: 400, message: "Reset code is invalid or expired" },
  UNAUTHORIZED: { status: 401, message: "Authentication required" },
  INVALID_CREDENTIALS: { status: 401, message: "Invalid email or password" },
  INVALID_TOKEN: { status: 401, message: "Access token is invalid" },
  TOKEN_EXPIRED: { status: 401, message: "Access token has expired" },
  SESSION_REVOKED: { status: 401, message: "Session has been revoked" },
  REFRESH_TOKEN_INVALID: { status: 401, message: "Refresh token is invalid" },
  REFRESH_TOKEN_EXPIRED: { status: 401, message: "Refresh token has expired" },
  REFRESH_TOKEN_REVOKED: { status: 401, message: "Refresh token was revoked" },
  FORBIDDEN: { status: 403, message: "Access denied", reserved: true },
  ACCOUNT_DEACTIVATED: { status: 403, message: "Account is deactivated" },
  ACCOUNT_SUSPENDED: { status: 403, message: "Account is suspended" },
  ACCOUNT_NOT_VERIFIED: { status: 403, message: "Email address is not verified" },
  ACCOUNT_PENDING_APPROVAL: { status: 403, message: "Account is waiting for approval" },
  INSUFFICIENT_PERMISSIONS: { status: 403, message: "Missing required permission" },
  PRIVILEGE_ESCALATION: { status: 403, message: "You cannot grant permissions you do not hold yourself" },
  SUPER_ADMIN_REQUIRED: { status: 403, message: "Only a super_admin may do this" },
  NOT_FOUND: { status: 404, message: "Resource not found" },
  USER_NOT_FOUND: { status: 404, message: "User not found" },
  ROLE_NOT_FOUND: { status: 404, message: "Role not found" },
  PERMISSION_NOT_FOUND: { status: 404, message: "Permission not found" },
  METHOD_NOT_ALLOWED: { status: 405, message: "Method not allowed" },
  CONFLICT: { status: 409, message: "Resource already exists", reserved: true },
  DUPLICATE_EMAIL: { status: 409, message: "Email is already registered" },
  DUPLICATE_USERNAME: { status: 409, message: "Username is already taken" },
  DUPLICATE_ROLE: { status: 409, message: "Role name is already taken" },
  DUPLICATE_PERMISSION: { status: 409, message: "Permission already exists" },
  ROLE_IN_USE: { status: 409, message: "Role is still assigned to users" },
  ALREADY_VERIFIED: { status: 409, message: "Email address is already verified" },
  VERIFICATION_EXPIRED: { status: 410, message: "Verification code has expired" },
  PAYLOAD_TOO_LARGE: { status: 413, message: "Request body is too large" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: "Content-Type must be application/json" },
  INVALID_STATUS_TRANSITION: { status: 422, message: "Invalid account status transition" },
  CANNOT_DELETE_SYSTEM_ROLE: { status: 422, message: "System roles cannot be deleted" },
  CANNOT_MODIFY_SYSTEM_ROLE: { status: 422, message: "System roles cannot be modified" },
  LAST_SUPER_ADMIN: { status: 422, message: "The last super_admin cannot lose the role" },
  CANNOT_DELETE_SELF: { status: 422, message: "Cannot delete own account" },
  CANNOT_RESET_OWN_MFA: { status: 422, message: "Remove your own second factors under /users/me/mfa" },
  USER_ALREADY_DELETED: { status: 422, message: "User is already deleted" },
  USER_NOT_DELETED: { status: 422, message: "User is not deleted" },
  CONFIRMATION_MISMATCH: { status: 422, message: "Confirmation does not match" },
  RATE_LIMIT_EXCEEDED: { status: 429, message: "Too many requests. Please try again later." },
  INTERNAL_ERROR: { status: 500, message: "Internal server error" },
  SERVICE_UNAVAILABLE: { status: 503, message: "Service temporarily unavailable" },
  DATABASE_ERROR: { status: 503, message: "Database connection error", reserved: true },
  CACHE_ERROR: { status: 503, message: "Cache service unavailable", reserved: true },
  OAUTH_PROVIDER_NOT_FOUND: { status: 404, message: "Sign-in provider is not enabled" },
  OAUTH_REDIRECT_URI_NOT_ALLOWED: { status: 400, message: "redirect_uri is not an allowed app URL" },
  OAUTH_STATE_INVALID: { status: 400, message: "Sign-in state is missing, unknown, expired or already used" },
  OAUTH_CODE_INVALID: { status: 400, message: "Sign-in code is invalid, expired or already used" },
  OAUTH_PROVIDER_UNAVAILABLE: { status: 503, message: "Sign-in provider cannot be reached" },
  OAUTH_SIGN_IN_REFUSED: { status: 400, message: "The provider sign-in was cancelled or refused" },
  IDENTITY_ALREADY_LINKED: { status: 409, message: "This provider account is linked to another user" },
  IDENTITY_NOT_FOUND: { status: 404, message: "Linked identity not found" },
  LAST_SIGN_IN_METHOD: { status: 409, message: "The account would have no way left to sign in" },
  IDENTITY_BACKEND_UNAVAILABLE: { status: 503, message: "Identity backend cannot be reached" },
  CSRF_REJECTED: { status: 403, message: "Form was not sent from this site or has expired" },
  MFA_TOKEN_INVALID: { status: 401, message: "MFA token is invalid, expired or already used" },
  MFA_CODE_INVALID: { status: 400, message: "Verification code is invalid" },
  MFA_ALREADY_ENROLLED: { status: 409, message: "An authenticator app is already enrolled" },
  MFA_ENROLLMENT_NOT_STARTED: { status: 409, message: "No authenticator enrolment is waiting for a code" },
  MFA_NOT_ENROLLED: { status: 409, message: "No second factor is enrolled" },
  MFA_REQUIRED_BY_POLICY: { status: 409, message: "The sign-in policy requires a second factor on this account" },
  MFA_FACTOR_NOT_FOUND: { status: 404, message: "Second factor not found" },
  WEBAUTHN_CHALLENGE_INVALID: { status: 400, message: "Passkey challenge is unknown, expired or already used" },
  WEBAUTHN_VERIFICATION_FAILED: { status: 400, message: "Passkey response could not be verified" },
  WEBAUTHN_CREDENTIAL_EXISTS: { status: 409, message: "This passkey is already registered" },
  PASSKEY_LOGIN_FAILED: { status: 401, message: "Passkey sign-in failed" },
  INSUFFICIENT_USER_AUTHENTICATION: { status: 401, message: "This needs a session signed in with a second factor" },
} as const satisfies Readonly<Record<string, ErrorEntry>>;

export type ErrorCode = keyof typeof ERROR_TABLE;

/** Every code, in table order. */
export const ErrorCodes = Object.keys(ERROR_TABLE) as readonly ErrorCode[];

/** The HTTP status of a code. */
export function statusOf(code: ErrorCode): number {
  return ERROR_TABLE[code].status;
}

/** The body of every 429, whichever limit refused: `{ retry_after, limit, window }` (README, "Rate limiting"). */
export interface RateLimitDetails {
  /** Seconds until a retry can succeed; also sent as `Retry-After`. */
  readonly retry_after: number;
  readonly limit: number;
  /** The window the limit counts over, in words ("1 minute", "1 day"). */
  readonly window: string;
}

/**
 * The `details` of the codes that carry them. A code listed here only accepts its shape;
 * any other code takes free-form details (or none).
 */
export interface ErrorDetails {
  readonly VALIDATION_ERROR: readonly FieldIssue[];
  readonly RATE_LIMIT_EXCEEDED: RateLimitDetails;
  readonly INSUFFICIENT_PERMISSIONS: { readonly required_permission: string };
  readonly PRIVILEGE_ESCALATION: { readonly missing_permissions: readonly string[] };
  readonly ROLE_IN_USE: { readonly user_count: number };
  readonly INVALID_STATUS_TRANSITION: { readonly from: string; readonly to: string };
  /** RFC 9470: the level to come back with and, when the route has one, the maximum age of the proof. */
  readonly INSUFFICIENT_USER_AUTHENTICATION: { readonly acr_values: "aal2"; readonly max_age?: number };
}

/** The details a code carries: its declared shape, else anything. */
export type DetailsOf<C extends ErrorCode> = C extends keyof ErrorDetails ? ErrorDetails[C] : unknown;
