import type { ErrorCode } from "@gatehouse/domain";

/**
 * Every text the hosted pages show, in one catalogue per language: errors keyed by the API's
 * error codes, the rest by page. English ships; a translation is another object of this type.
 */
export interface PageMessages {
  readonly errors: Partial<Record<ErrorCode, string>> & { readonly fallback: string };
  readonly summaryTitle: string;
  readonly notices: Readonly<Record<NoticeKey, string>>;
}

export type NoticeKey =
  | "registered_verify"
  | "registered_active"
  | "verified_active"
  | "verified_pending_approval"
  | "reset_requested"
  | "password_reset"
  | "profile_saved"
  | "password_changed"
  | "session_revoked"
  | "signed_out";

export const EN: PageMessages = {
  summaryTitle: "There is a problem",
  errors: {
    fallback: "Something went wrong. Please try again.",
    VALIDATION_ERROR: "Check the highlighted fields.",
    INVALID_CREDENTIALS: "The email address or password is not right.",
    ACCOUNT_NOT_VERIFIED: "Verify your email address first: enter the code we sent you.",
    ACCOUNT_PENDING_APPROVAL: "Your account is waiting for an administrator's approval.",
    ACCOUNT_SUSPENDED: "This account is suspended. Contact support.",
    ACCOUNT_DEACTIVATED: "This account is deactivated.",
    INVALID_VERIFICATION_CODE: "That code is not right or has been used. Check it, or ask for a new one.",
    VERIFICATION_EXPIRED: "That code has expired. Register again or ask for a new code.",
    ALREADY_VERIFIED: "This email address is already verified. You can sign in.",
    INVALID_RESET_TOKEN: "That reset code is not right, was used or has expired. Ask for a new one.",
    DUPLICATE_EMAIL: "An account with this email address already exists.",
    DUPLICATE_USERNAME: "That username is taken. Choose another.",
    RATE_LIMIT_EXCEEDED: "Too many attempts. Wait a moment and try again.",
    CSRF_REJECTED: "This form has expired or was not sent from this site. Reload the page and try again.",
    UNAUTHORIZED: "Sign in to continue.",
    MFA_CODE_INVALID: "That code is not right or was used already. Sign in again and enter a fresh code.",
    MFA_TOKEN_INVALID: "This sign-in step has expired or was used already. Sign in again.",
    NOT_FOUND: "That was not found.",
    SERVICE_UNAVAILABLE: "The service is busy or unavailable. Try again shortly.",
    INTERNAL_ERROR: "Something went wrong on our side. Try again shortly.",
  },
  notices: {
    registered_verify: "We sent a code and a link to your email address. Enter the code to activate the account.",
    registered_active: "Your account is ready. Sign in.",
    verified_active: "Your email address is verified. You can sign in now.",
    verified_pending_approval: "Your email address is verified. An administrator will approve the account.",
    reset_requested:
      "If an account uses this address, we sent it a code and a link. Enter the code below with a new password.",
    password_reset: "Your password was changed and every session signed out. Sign in with the new password.",
    profile_saved: "Your profile was saved.",
    password_changed: "Your password was changed; your other sessions were signed out.",
    session_revoked: "The session was signed out.",
    signed_out: "You are signed out.",
  },
};

/** The page text of an error code. */
export function errorText(messages: PageMessages, code: string): string {
  return messages.errors[code as ErrorCode] ?? messages.errors.fallback;
}

export function isNoticeKey(messages: PageMessages, key: unknown): key is NoticeKey {
  return typeof key === "string" && Object.hasOwn(messages.notices, key);
}
