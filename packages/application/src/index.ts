export { type Authenticate, type AuthenticateDeps, makeAuthenticate } from "./authenticate.js";
export { type Authorize, type AuthorizeDeps, makeAuthorize } from "./authorize.js";
export {
  CacheKeys,
  type CacheKind,
  CacheShapeVersions,
  CacheTtlSeconds,
  readCached,
  userCacheKeys,
  writeCached,
} from "./cache-keys.js";
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
  type DeliverDueMail,
  type DeliverDueMailDeps,
  type MailDeliveryPolicy,
  type MailDeliverySummary,
  makeDeliverDueMail,
  retryDelaySeconds,
} from "./deliver-due-mail.js";
export {
  type CurrentUser,
  type GetCurrentUser,
  type GetCurrentUserDeps,
  makeGetCurrentUser,
} from "./get-current-user.js";
export { type LoadAccess, type LoadAccessDeps, makeLoadAccess } from "./load-access.js";
export { type LogIn, type LogInDeps, type LogInInput, type LogInResult, makeLogIn } from "./log-in.js";
export { type LogOut, type LogOutDeps, type LogOutInput, makeLogOut } from "./log-out.js";
export { makeRefreshSession, type RefreshSession, type RefreshSessionDeps } from "./refresh-session.js";
export { makeRegisterUser, type RegisterUser, type RegisterUserDeps, type RegisterUserInput } from "./register-user.js";
export {
  type CleanupDeps,
  type CleanupPolicy,
  type CleanupSummary,
  makeRunCleanup,
  type RunCleanup,
} from "./run-cleanup.js";
export type { RefreshTokenPolicy, SessionTokens } from "./session-tokens.js";
export type { UserProfile } from "./user-profile-cache.js";
