export {
  type AccessInvalidation,
  type AccessInvalidationDeps,
  INVALIDATION_BATCH,
  makeAccessInvalidation,
} from "./access-invalidation.js";
export { type ApproveUser, makeApproveUser } from "./approve-user.js";
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
export type { ChangeAccountStatusDeps } from "./change-account-status.js";
export {
  type ChangePassword,
  type ChangePasswordDeps,
  type ChangePasswordInput,
  makeChangePassword,
} from "./change-password.js";
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
export { makeMailOutboxTask, makePurgeDeletedUsersTask } from "./cleanup-tasks.js";
export {
  type ConfirmEmailChange,
  type ConfirmEmailChangeDeps,
  type ConfirmEmailChangeInput,
  makeConfirmEmailChange,
} from "./confirm-email-change.js";
export { type CreatePermission, type CreatePermissionDeps, makeCreatePermission } from "./create-permission.js";
export { type CreateRole, type CreateRoleDeps, makeCreateRole, type RoleFields } from "./create-role.js";
export {
  type CreateSuperAdmin,
  type CreateSuperAdminDeps,
  type CreateSuperAdminResult,
  makeCreateSuperAdmin,
} from "./create-super-admin.js";
export {
  CreatableStatuses,
  type CreateUser,
  type CreateUserDeps,
  type CreateUserInput,
  makeCreateUser,
} from "./create-user.js";
export { type DeactivateAccount, type DeactivateAccountDeps, makeDeactivateAccount } from "./deactivate-account.js";
export { type DeleteAccount, type DeleteAccountDeps, makeDeleteAccount } from "./delete-account.js";
export { type DeleteRole, type DeleteRoleDeps, makeDeleteRole } from "./delete-role.js";
export { type DeleteUser, type DeleteUserDeps, makeDeleteUser } from "./delete-user.js";
export {
  type DeleteUserPermanently,
  type DeleteUserPermanentlyDeps,
  makeDeleteUserPermanently,
} from "./delete-user-permanently.js";

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
export { type GetUser, type GetUserDeps, makeGetUser } from "./get-user.js";
export { type GetUserStatistics, type GetUserStatisticsDeps, makeGetUserStatistics } from "./get-user-statistics.js";
export {
  type GrantRolePermissions,
  makeGrantRolePermissions,
  type RolePermissionsDeps,
} from "./grant-role-permissions.js";
export { type LifecyclePolicy, LinkPaths } from "./lifecycle-policy.js";
export { type ListAuditLogs, type ListAuditLogsDeps, makeListAuditLogs } from "./list-audit-logs.js";
export {
  type ListPermissions,
  type ListRoles,
  type ListRolesDeps,
  makeListPermissions,
  makeListRoles,
} from "./list-roles.js";
export { type ListUsers, type ListUsersDeps, makeListUsers } from "./list-users.js";
export { type LoadAccess, type LoadAccessDeps, makeLoadAccess } from "./load-access.js";
export { type LogIn, type LogInDeps, type LogInInput, type LogInResult, makeLogIn } from "./log-in.js";
export { type LogOut, type LogOutDeps, type LogOutInput, makeLogOut } from "./log-out.js";
export { type NewAccountInput, validateNewAccount } from "./new-account.js";
export { type AdminActor, assertHoldsAll, assertMayHandOut } from "./privilege-guard.js";
export { makeReactivateAccount, type ReactivateAccount, type ReactivateAccountDeps } from "./reactivate-account.js";
export { makeReactivateUser, type ReactivateUser } from "./reactivate-user.js";
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
export { makeRestoreUser, type RestoreUser, type RestoreUserDeps } from "./restore-user.js";
export { makeRevokeRolePermission, type RevokeRolePermission } from "./revoke-role-permission.js";
export {
  type CleanupDeps,
  type CleanupPolicy,
  type CleanupSummary,
  type CleanupTask,
  makeRunCleanup,
  type RunCleanup,
} from "./run-cleanup.js";
export type { RefreshTokenPolicy, SessionTokens } from "./session-tokens.js";
export {
  type ListSessions,
  type ListSessionsDeps,
  makeListSessions,
  makeRevokeSession,
  type RevokeSession,
  type RevokeSessionDeps,
} from "./sessions.js";
export { makeSuspendUser, type SuspendUser } from "./suspend-user.js";
export { makeUnassignUserRole, type UnassignUserRole } from "./unassign-user-role.js";
export {
  makeUpdateProfile,
  type ProfileUpdate,
  type UpdateProfile,
  type UpdateProfileDeps,
  type UpdateProfileInput,
} from "./update-profile.js";
export { makeUpdateRole, type UpdateRole, type UpdateRoleDeps } from "./update-role.js";
export { makeUpdateUser, type UpdateUser, type UpdateUserDeps, type UserUpdate } from "./update-user.js";
export type { UserProfile } from "./user-profile-cache.js";

export { makeVerifyEmail, type VerifyEmail, type VerifyEmailDeps, type VerifyEmailInput } from "./verify-email.js";
