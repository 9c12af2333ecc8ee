import type { ErrorCode } from "@gatehouse/domain";

/**
 * Every text the hosted pages show, in one catalogue per language: errors keyed by the API's
 * error codes, the rest by page. English ships; a translation is another object of this type.
 */
export interface PageMessages {
  readonly errors: Partial<Record<ErrorCode, string>> & { readonly fallback: string };
  readonly summaryTitle: string;
  readonly notices: Readonly<Record<NoticeKey, string>>;
  /** How a field issue names its field (`{label} {issue}`); a field without one shows its own name. */
  readonly fields: Readonly<Record<string, string>>;
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
  | "email_change_sent"
  | "email_changed"
  | "sign_in_to_confirm_email"
  | "account_deactivated"
  | "account_deleted"
  | "signed_out"
  | "stepped_up"
  | "account_reactivated"
  | "account_already_active"
  | "identity_linked"
  | SecurityNoticeKey
  | AdminNoticeKey;

/** The notices of /account/security, one per factor change. */
export type SecurityNoticeKey = "totp_enrolled" | "passkey_added" | "recovery_codes_regenerated" | "factor_removed";

/** The admin console's notices, one per action (pages/admin/). */
export type AdminNoticeKey =
  | "user_approved"
  | "user_suspended"
  | "user_reactivated"
  | "user_sessions_revoked"
  | "user_mfa_reset"
  | "user_deleted"
  | "user_restored"
  | "user_purged"
  | "role_assigned"
  | "role_removed"
  | "identity_unlinked"
  | "permission_granted"
  | "permission_revoked"
  | "role_created"
  | "role_updated"
  | "role_deleted"
  | "user_created"
  | "user_updated"
  | "user_email_pending";

export const EN: PageMessages = {
  summaryTitle: "There is a problem",
  fields: {
    email: "Email address",
    password: "Password",
    new_password: "New password",
    current_password: "Current password",
    username: "Username",
    full_name: "Full name",
    phone_number: "Phone number",
    organization: "Organization",
    department: "Department",
    name: "Name",
    description: "Description",
    status: "Status",
    roles: "Role",
    reason: "Reason",
    code: "Code",
    mfa_confirm: "The confirmation",
    delete_confirm: "The confirmation",
    credential: "Passkey",
    assertion: "Passkey",
  },
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
    MFA_CODE_INVALID: "That code is not right or was used already. Start again with a fresh code.",
    MFA_TOKEN_INVALID: "This sign-in step has expired or was used already. Sign in again.",
    MFA_ALREADY_ENROLLED: "An authenticator app is already set up. Remove it first to set up another.",
    MFA_ENROLLMENT_NOT_STARTED: "Start setting up the authenticator app again.",
    MFA_NOT_ENROLLED: "Set up an authenticator app or a passkey first.",
    MFA_FACTOR_NOT_FOUND: "That second factor does not exist or was removed already.",
    INSUFFICIENT_USER_AUTHENTICATION:
      "This change needs a recent second factor. Confirm it's you with a code from your app on the account page.",
    WEBAUTHN_CHALLENGE_INVALID: "The passkey request expired or was used already. Try again.",
    WEBAUTHN_VERIFICATION_FAILED: "The passkey could not be verified. Try again, or use a code.",
    WEBAUTHN_CREDENTIAL_EXISTS: "This passkey is already registered.",
    NOT_FOUND: "That was not found.",
    INSUFFICIENT_PERMISSIONS: "You do not have the permission this page or action needs.",
    USER_NOT_FOUND: "That user does not exist.",
    INVALID_STATUS_TRANSITION: "The user's current status does not allow that change.",
    CONFIRMATION_MISMATCH: "Type the user's username exactly to confirm the permanent deletion.",
    SUPER_ADMIN_REQUIRED: "Only a super administrator can do that.",
    CANNOT_DELETE_SELF: "You cannot delete your own account here.",
    CANNOT_RESET_OWN_MFA: "You cannot reset your own second factors here; manage them from your account.",
    USER_ALREADY_DELETED: "The user is already deleted.",
    USER_NOT_DELETED: "The user is not deleted.",
    PRIVILEGE_ESCALATION: "You cannot grant or remove a permission you do not hold yourself.",
    LAST_SUPER_ADMIN: "The last super administrator keeps that role.",
    ROLE_NOT_FOUND: "That role does not exist or the user does not hold it.",
    PERMISSION_NOT_FOUND: "That permission does not exist.",
    DUPLICATE_ROLE: "A role with that name already exists. Choose another name.",
    ROLE_IN_USE: "Users still hold this role. Tick the box to remove it from them, or remove it from each user first.",
    CANNOT_DELETE_SYSTEM_ROLE: "Built-in roles cannot be deleted.",
    CANNOT_MODIFY_SYSTEM_ROLE: "Built-in roles cannot be renamed or changed.",
    IDENTITY_NOT_FOUND: "That linked account does not exist.",
    OAUTH_SIGN_IN_REFUSED: "The sign-in with that provider was cancelled or refused. Try again, or use your password.",
    OAUTH_CODE_INVALID: "That sign-in took too long or was used already. Start again with the provider's button.",
    OAUTH_PROVIDER_NOT_FOUND: "That sign-in provider is not available.",
    OAUTH_PROVIDER_UNAVAILABLE: "The sign-in provider cannot be reached. Try again shortly, or use your password.",
    LAST_SIGN_IN_METHOD: "The account would have no way left to sign in.",
    IDENTITY_ALREADY_LINKED: "That provider account is already linked to another user of this service.",
    PASSKEY_LOGIN_FAILED: "That passkey could not sign you in. Try again, or sign in with your password.",
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
    stepped_up: "Confirmed. For the next five minutes you can change your password, email and account.",
    session_revoked: "The session was signed out.",
    email_change_sent:
      "If the new address can be used, we sent it a code. Enter it below; until then you sign in with your current address.",
    email_changed: "Your email address was changed. Sign in with the new address from now on.",
    sign_in_to_confirm_email:
      "Sign in to finish changing your email address, then open the link again or enter its code on your account page.",
    account_deactivated: "Your account is deactivated and every session signed out.",
    account_deleted: "Your account is deleted and every session signed out.",
    signed_out: "You are signed out.",
    totp_enrolled: "Your authenticator app is set up: sign-ins now ask for its code.",
    passkey_added: "Your passkey was added: sign-ins can now use it as the second step.",
    recovery_codes_regenerated: "New recovery codes were made; the old ones no longer work.",
    factor_removed: "The second factor was removed.",
    user_approved: "The user was approved.",
    user_suspended: "The user was suspended and every session of theirs signed out.",
    user_reactivated: "The user was reactivated.",
    user_sessions_revoked: "Every session of the user was signed out.",
    user_mfa_reset: "Every second factor of the user was removed and every session signed out.",
    user_deleted: "The user was deleted; an administrator can restore them.",
    user_restored: "The user was restored.",
    user_purged: "The user was deleted permanently.",
    role_assigned: "The role was assigned.",
    role_removed: "The role was removed.",
    identity_unlinked: "The linked account was unlinked.",
    permission_granted: "The permission was granted to the role.",
    permission_revoked: "The permission was revoked from the role.",
    role_created: "The role was created. Grant it permissions below.",
    role_updated: "The role was saved.",
    role_deleted: "The role was deleted.",
    user_created:
      "The user was created without a password: they set one with Forgot your password? on the sign-in page.",
    user_updated: "The user's details were saved.",
    user_email_pending:
      "The user's details were saved. The new email address applies once the user enters the code we mailed to it.",
    account_reactivated: "Your account is active again. Sign in.",
    account_already_active: "Your account is already active. Sign in.",
    identity_linked: "The provider account was linked: you can sign in with it from now on.",
  },
};

/** The page text of an error code. */
export function errorText(messages: PageMessages, code: string): string {
  return messages.errors[code as ErrorCode] ?? messages.errors.fallback;
}

export function isNoticeKey(messages: PageMessages, key: unknown): key is NoticeKey {
  return typeof key === "string" && Object.hasOwn(messages.notices, key);
}
