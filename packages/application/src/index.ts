export { type Authenticate, type AuthenticateDeps, makeAuthenticate } from "./authenticate.js";
export { type Authorize, type AuthorizeDeps, makeAuthorize } from "./authorize.js";
export { CacheKeys, CacheTtlSeconds } from "./cache-keys.js";
export { type CheckEmail, type CheckEmailDeps, makeCheckEmail } from "./check-email.js";
export {
  type CheckHealth,
  type CheckHealthDeps,
  type HealthReport,
  makeCheckHealth,
  type ProbeResult,
} from "./check-health.js";
export {
  type CheckRateLimit,
  type CheckRateLimitDeps,
  makeCheckRateLimit,
  type RateLimitCheck,
  type RateLimitRequest,
  type RouteRateLimit,
} from "./check-rate-limit.js";
export {
  type ConfirmEmailChange,
  type ConfirmEmailChangeDeps,
  type ConfirmEmailChangeInput,
  makeConfirmEmailChange,
} from "./confirm-email-change.js";

export {
  type DeliverDueMail,
  type DeliverDueMailDeps,
  type MailDeliveryPolicy,
  type MailDeliverySummary,
  makeDeliverDueMail,
  retryDelaySeconds,
} from "./deliver-due-mail.js";
export { type GetCurrentUser, type GetCurrentUserDeps, makeGetCurrentUser } from "./get-current-user.js";
export { type LifecyclePolicy, LinkPaths } from "./lifecycle-policy.js";
export { type LoadAccess, type LoadAccessDeps, makeLoadAccess } from "./load-access.js";
export { type LogIn, type LogInDeps, type LogInInput, type LogInResult, makeLogIn } from "./log-in.js";
export { type LogOut, type LogOutDeps, type LogOutInput, makeLogOut } from "./log-out.js";
export { makeRefreshSession, type RefreshSession, type RefreshSessionDeps } from "./refresh-session.js";
export {
  makeRegisterUser,
  type RegisterUser,
  type RegisterUserDeps,
  type RegisterUserInput,
  type Registration,
} from "./register-user.js";
export {
  makeRequestPasswordReset,
  type RequestPasswordReset,
  type RequestPasswordResetDeps,
} from "./request-password-reset.js";
export { makeResendVerification, type ResendVerification, type ResendVerificationDeps } from "./resend-verification.js";
export {
  makeResetPassword,
  type ResetPassword,
  type ResetPasswordDeps,
  type ResetPasswordInput,
} from "./reset-password.js";
export {
  type CleanupDeps,
  type CleanupPolicy,
  type CleanupSummary,
  makeRunCleanup,
  type RunCleanup,
} from "./run-cleanup.js";
export type { RefreshTokenPolicy, SessionTokens } from "./session-tokens.js";
export {
  makeUpdateProfile,
  type ProfileUpdate,
  type UpdateProfile,
  type UpdateProfileDeps,
  type UpdateProfileInput,
} from "./update-profile.js";
export { makeVerifyEmail, type VerifyEmail, type VerifyEmailDeps, type VerifyEmailInput } from "./verify-email.js";
