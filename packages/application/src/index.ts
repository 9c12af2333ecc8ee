export {
  type AccessInvalidation,
  type AccessInvalidationDeps,
  INVALIDATION_BATCH,
  makeAccessInvalidation,
} from "./access-invalidation.js";
export {
  type AssignUserRoles,
  makeAssignUserRoles,
  type RoleSelector,
  type UserRoles,
  type UserRolesDeps,
} from "./assign-user-roles.js";
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
export { type CreatePermission, type CreatePermissionDeps, makeCreatePermission } from "./create-permission.js";
export { type CreateRole, type CreateRoleDeps, makeCreateRole, type RoleFields } from "./create-role.js";
export {
  type CreateSuperAdmin,
  type CreateSuperAdminDeps,
  type CreateSuperAdminResult,
  makeCreateSuperAdmin,
} from "./create-super-admin.js";
export { type DeleteRole, type DeleteRoleDeps, makeDeleteRole } from "./delete-role.js";
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
export {
  type GrantRolePermissions,
  makeGrantRolePermissions,
  type RolePermissionsDeps,
} from "./grant-role-permissions.js";
export {
  type ListPermissions,
  type ListRoles,
  type ListRolesDeps,
  makeListPermissions,
  makeListRoles,
} from "./list-roles.js";
export { type LoadAccess, type LoadAccessDeps, makeLoadAccess } from "./load-access.js";
export { type LogIn, type LogInDeps, type LogInInput, type LogInResult, makeLogIn } from "./log-in.js";
export { type LogOut, type LogOutDeps, type LogOutInput, makeLogOut } from "./log-out.js";
export { type NewAccountInput, validateNewAccount } from "./new-account.js";
export { type AdminActor, assertHoldsAll, assertMayHandOut } from "./privilege-guard.js";
export { makeRefreshSession, type RefreshSession, type RefreshSessionDeps } from "./refresh-session.js";
export { makeRegisterUser, type RegisterUser, type RegisterUserDeps, type RegisterUserInput } from "./register-user.js";
export { makeRevokeRolePermission, type RevokeRolePermission } from "./revoke-role-permission.js";
export {
  type CleanupDeps,
  type CleanupPolicy,
  type CleanupSummary,
  makeRunCleanup,
  type RunCleanup,
} from "./run-cleanup.js";
export type { RefreshTokenPolicy, SessionTokens } from "./session-tokens.js";
export { makeUnassignUserRole, type UnassignUserRole } from "./unassign-user-role.js";
export { makeUpdateRole, type UpdateRole, type UpdateRoleDeps } from "./update-role.js";
export type { UserProfile } from "./user-profile-cache.js";
