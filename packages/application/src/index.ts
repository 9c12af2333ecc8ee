// Over 300 lines on purpose: the package's whole public surface, named export by named export
// (no `export *`), so what other teams may import is reviewed here and nothing leaks by accident.
export {
  type ChangePassword,
  type ChangePasswordDeps,
  type ChangePasswordInput,
  makeChangePassword,
} from "./account/change-password.js";
export {
  type ConfirmEmailChange,
  type ConfirmEmailChangeDeps,
  type ConfirmEmailChangeInput,
  makeConfirmEmailChange,
} from "./account/confirm-email-change.js";
export {
  type DeactivateAccount,
  type DeactivateAccountDeps,
  makeDeactivateAccount,
} from "./account/deactivate-account.js";
export { type DeleteAccount, type DeleteAccountDeps, makeDeleteAccount } from "./account/delete-account.js";
export {
  type ListDevices,
  type ListDevicesDeps,
  makeListDevices,
  makeRevokeDevice,
  type RevokeDevice,
  type RevokeDeviceDeps,
} from "./account/devices.js";
export {
  type CurrentUser,
  type GetCurrentUser,
  type GetCurrentUserDeps,
  makeGetCurrentUser,
} from "./account/get-current-user.js";
export {
  makeReactivateAccount,
  type ReactivateAccount,
  type ReactivateAccountDeps,
} from "./account/reactivate-account.js";
export {
  type ListSessions,
  type ListSessionsDeps,
  makeListSessions,
  makeRevokeSession,
  type RevokeSession,
  type RevokeSessionDeps,
} from "./account/sessions.js";
export {
  makeUpdateProfile,
  type ProfileUpdate,
  type UpdateProfile,
  type UpdateProfileDeps,
  type UpdateProfileInput,
} from "./account/update-profile.js";
export type { UserProfile } from "./account/user-profile-cache.js";
export { type ApproveUser, makeApproveUser } from "./admin/approve-user.js";
export {
  type CreateSuperAdmin,
  type CreateSuperAdminDeps,
  type CreateSuperAdminResult,
  makeCreateSuperAdmin,
} from "./admin/create-super-admin.js";
export {
  CreatableStatuses,
  type CreateUser,
  type CreateUserDeps,
  type CreateUserInput,
  makeCreateUser,
} from "./admin/create-user.js";
export { type DeleteUser, type DeleteUserDeps, makeDeleteUser } from "./admin/delete-user.js";
export {
  type DeleteUserPermanently,
  type DeleteUserPermanentlyDeps,
  makeDeleteUserPermanently,
} from "./admin/delete-user-permanently.js";
export {
  type DailyActivity,
  type GetDailyActivity,
  makeGetDailyActivity,
} from "./admin/get-daily-activity.js";
export { type GetUser, type GetUserDeps, makeGetUser } from "./admin/get-user.js";
export {
  type GetUserStatistics,
  type GetUserStatisticsDeps,
  makeGetUserStatistics,
} from "./admin/get-user-statistics.js";
export {
  IMPORT_MAX_LINES,
  type ImportActor,
  type ImportFailure,
  type ImportOptions,
  type ImportReport,
  type ImportUsers,
  type ImportUsersDeps,
  makeImportUsers,
} from "./admin/import-users.js";
export { type ListAuditLogs, type ListAuditLogsDeps, makeListAuditLogs } from "./admin/list-audit-logs.js";
export { type ListUsers, type ListUsersDeps, makeListUsers } from "./admin/list-users.js";
export { makeReactivateUser, type ReactivateUser } from "./admin/reactivate-user.js";
export { type MfaReset, makeResetUserMfa, type ResetUserMfa } from "./admin/reset-user-mfa.js";
export { makeRestoreUser, type RestoreUser, type RestoreUserDeps } from "./admin/restore-user.js";
export { makeRevokeUserSessions, type RevokeUserSessions } from "./admin/revoke-user-sessions.js";
export { makeSetUserPassword, type SetUserPassword, type SetUserPasswordDeps } from "./admin/set-user-password.js";
export { makeSuspendUser, type SuspendUser } from "./admin/suspend-user.js";
export { makeUnlinkUserIdentity, type UnlinkUserIdentity } from "./admin/unlink-user-identity.js";
export {
  type AdminUserUpdate,
  makeUpdateUser,
  type UpdateUser,
  type UpdateUserDeps,
  type UserUpdate,
  WRITE_EMAIL_PERMISSION,
} from "./admin/update-user.js";
export type { AdminChangeDeps } from "./admin/user-change.js";
export { type Authenticate, type AuthenticateDeps, makeAuthenticate } from "./auth/authenticate.js";
export { type AuthenticateExternalDeps, makeAuthenticateExternal } from "./auth/authenticate-external.js";
export { type Authorize, type AuthorizeDeps, makeAuthorize } from "./auth/authorize.js";
export type { CredentialFailures, PasswordCheck } from "./auth/check-credentials.js";
export {
  ADDRESS_DELAY_LADDER,
  type DelayLadder,
  delayLaddersCappedAt,
  NETWORK_DELAY_LADDER,
  networkOf,
} from "./auth/credential-attempts.js";
export { type LoadAccess, type LoadAccessDeps, makeLoadAccess } from "./auth/load-access.js";
export { type LockoutNoticeDeps, makeLockoutNotice } from "./auth/lockout-notice.js";
export {
  type IssuedDeviceToken,
  type LogIn,
  type LogInDeps,
  type LogInInput,
  type LogInResult,
  makeLogIn,
} from "./auth/log-in.js";
export { type LogInWithPasskey, makeLogInWithPasskey } from "./auth/log-in-with-passkey.js";
export { type LogOut, type LogOutDeps, type LogOutInput, makeLogOut } from "./auth/log-out.js";
export {
  makeResolvePageSession,
  type PageSession,
  type ResolvePageSession,
  type ResolvePageSessionDeps,
} from "./auth/page-session.js";
export { makePasskeyLoginOptions, type PasskeyLoginOptions } from "./auth/passkey-login-options.js";
export {
  makeRefreshSession,
  type RefreshSession,
  type RefreshSessionDeps,
  type SessionGuard,
} from "./auth/refresh-session.js";
export type { RefreshTokenPolicy, SessionTokens } from "./auth/session-tokens.js";
export { type AnnouncePresence, type AnnouncePresenceDeps, makeAnnouncePresence } from "./chat/announce-presence.js";
export {
  type AddChatMember,
  type ChangeChatMemberDeps,
  type MemberChange,
  makeAddChatMember,
  makeRemoveChatMember,
  type RemoveChatMember,
} from "./chat/change-chat-member.js";
export type { ChatViewer } from "./chat/chat-access.js";
export { type ChatConnection, type ChatHub, type ChatHubDeps, type JoinOutcome, makeChatHub } from "./chat/chat-hub.js";
export {
  type ChatPresenceSync,
  type ChatPresenceSyncDeps,
  makeChatPresenceSync,
} from "./chat/chat-presence-sync.js";
export { makeChatRetentionTask } from "./chat/chat-retention-task.js";
export {
  type CreateChatRoom,
  type CreateChatRoomDeps,
  type CreateChatRoomInput,
  makeCreateChatRoom,
} from "./chat/create-chat-room.js";
export { type DeleteChatRoom, type DeleteChatRoomDeps, makeDeleteChatRoom } from "./chat/delete-chat-room.js";
export {
  type ChatIdentity,
  type IdentifyChatUser,
  type IdentifyChatUserDeps,
  makeIdentifyChatUser,
} from "./chat/identify-chat-user.js";
export { type JoinChatRoom, type JoinChatRoomDeps, makeJoinChatRoom } from "./chat/join-chat-room.js";
export {
  type ListChatMessages,
  type ListChatMessagesDeps,
  type MessagePage,
  makeListChatMessages,
} from "./chat/list-chat-messages.js";
export {
  type ChatPresence,
  type ListChatRooms,
  type ListChatRoomsDeps,
  makeListChatRooms,
} from "./chat/list-chat-rooms.js";
export {
  type ChatSender,
  makePostChatMessage,
  type PostChatMessage,
  type PostChatMessageDeps,
} from "./chat/post-chat-message.js";
export { makeUpdateChatRoom, type UpdateChatRoom, type UpdateChatRoomDeps } from "./chat/update-chat-room.js";
export {
  type CompleteFederatedLogin,
  type CompleteFederatedLoginDeps,
  type CompleteFederatedLoginInput,
  makeCompleteFederatedLogin,
} from "./federation/complete-federated-login.js";
export {
  type ExchangeHandoffCode,
  type ExchangeHandoffCodeDeps,
  type ExchangeHandoffCodeInput,
  makeExchangeHandoffCode,
} from "./federation/exchange-handoff-code.js";
export { type ListIdentities, type ListIdentitiesDeps, makeListIdentities } from "./federation/list-identities.js";
export {
  callbackUrlOf,
  type FederationPolicy,
  makeStartFederatedLogin,
  pagesReturnUrlOf,
  type RedirectAllowList,
  type StartFederatedLogin,
  type StartFederatedLoginDeps,
  type StartFederatedLoginInput,
} from "./federation/start-federated-login.js";
export {
  makeUnlinkIdentity,
  type UnlinkIdentity,
  type UnlinkIdentityDeps,
} from "./federation/unlink-identity.js";
export {
  type CheckHealth,
  type CheckHealthDeps,
  type HealthReport,
  makeCheckHealth,
  type ProbeResult,
} from "./health/check-health.js";
export { keycloakStateOf } from "./keycloak/account-state.js";
export { makeEmailHeldByForeignAccount } from "./keycloak/foreign-account.js";
export { makeKeycloakPasswordCheck } from "./keycloak/keycloak-password-check.js";
export { makeKeycloakSessionGuard } from "./keycloak/keycloak-session-guard.js";
export { makeKeycloakSyncTask } from "./keycloak/keycloak-sync-task.js";
export { keycloakSyncedUnitOfWork } from "./keycloak/keycloak-synced-unit-of-work.js";
export { handingOffHasher, type PasswordHandoff } from "./keycloak/password-handoff.js";
export {
  makeProvisionKeycloakUser,
  type ProvisionKeycloakUser,
  type ProvisionKeycloakUserDeps,
} from "./keycloak/provision-keycloak-user.js";
export {
  DEFAULT_RECONCILE_PAGE_SIZE,
  type ForeignKeycloakAccount,
  type KeycloakReconciliation,
  type MissingKeycloakAccount,
  makeReconcileKeycloak,
  type OrphanedKeycloakAccount,
  type ReconcileKeycloak,
  type ReconcileKeycloakDeps,
} from "./keycloak/reconcile-keycloak.js";
export { type KeycloakSessionHandoff, makeKeycloakSessionHandoff } from "./keycloak/session-handoff.js";
export {
  DEFAULT_KEYCLOAK_SYNC_POLICY,
  type KeycloakSyncPolicy,
  type KeycloakSyncSummary,
  makeSyncKeycloak,
  type SyncKeycloak,
  type SyncKeycloakDeps,
} from "./keycloak/sync-keycloak.js";
export {
  type DeliverDueMail,
  type DeliverDueMailDeps,
  type MailDeliveryPolicy,
  type MailDeliverySummary,
  makeDeliverDueMail,
  retryDelaySeconds,
} from "./mail/deliver-due-mail.js";
export {
  makeMailOutboxTask,
  makePurgeDeletedUsersTask,
  makeSecondFactorCleanupTask,
} from "./maintenance/cleanup-tasks.js";
export {
  type CleanupDeps,
  type CleanupPolicy,
  type CleanupSummary,
  type CleanupTask,
  makeRunCleanup,
  type RunCleanup,
} from "./maintenance/run-cleanup.js";
export { type ConfirmTotpEnrolment, makeConfirmTotpEnrolment } from "./mfa/confirm-totp-enrolment.js";
export {
  type FinishRequiredTotpEnrolment,
  makeFinishRequiredTotpEnrolment,
  makeStartRequiredTotpEnrolment,
  type StartRequiredTotpEnrolment,
} from "./mfa/enrol-required-factor.js";
export {
  type FinishPasskeyRegistration,
  makeFinishPasskeyRegistration,
} from "./mfa/finish-passkey-registration.js";
export {
  type FactorView,
  type ListFactors,
  makeListFactors,
  makeRegenerateRecoveryCodes,
  makeRemoveFactor,
  type RegenerateRecoveryCodes,
  type RemoveFactor,
} from "./mfa/manage-factors.js";
export {
  clientBinding,
  gateFirstFactor,
  issueAssuredTokens,
  LEGACY_ASSURANCE,
  MFA_CHALLENGE_TTL_SECONDS,
  type MfaChallengeResult,
} from "./mfa/mfa-gate.js";
export {
  makePasskeySecondFactorOptions,
  type PasskeySecondFactorOptions,
} from "./mfa/passkey-second-factor-options.js";
export { RECOVERY_CODE_COUNT } from "./mfa/recovery-code-set.js";
export {
  type AssuranceRequirement,
  insufficientUserAuthentication,
  makeRequireAssurance,
  type RequireAssurance,
} from "./mfa/require-assurance.js";
export type { SecondFactorMethod, SecondFactorProof } from "./mfa/second-factor.js";
export { makeStartPasskeyRegistration, type StartPasskeyRegistration } from "./mfa/start-passkey-registration.js";
export { makeStartTotpEnrolment, type StartTotpEnrolment, type TotpEnrolment } from "./mfa/start-totp-enrolment.js";
export {
  makeStepUp,
  makeStepUpPasskeyOptions,
  type StepUp,
  type StepUpPasskeyOptions,
  type StepUpResult,
} from "./mfa/step-up.js";
export { makeVerifyMfaLogin, type VerifyMfaLogin, type VerifyMfaLoginInput } from "./mfa/verify-mfa-login.js";
export {
  type DescribeHost,
  type DescribeHostDeps,
  makeDescribeHost,
  SYSTEM_READ,
} from "./observability/describe-host.js";
export {
  instrumentCache,
  instrumentLogIn,
  instrumentPasswordHasher,
  instrumentRateLimiter,
  instrumentRegisterUser,
  instrumentUnitOfWork,
} from "./observability/instrument.js";
export {
  type CheckRateLimit,
  type CheckRateLimitDeps,
  makeCheckRateLimit,
  type RateLimitCheck,
  type RateLimitRequest,
  type RouteRateLimit,
} from "./rate-limit/check-rate-limit.js";
export { makeRefusalBuffer, type RefusalBuffer, type RefusalBufferDeps } from "./rate-limit/refusal-buffer.js";
export { makeRateLimitRefusalCleanupTask, RATE_LIMIT_REFUSAL_RETENTION_DAYS } from "./rate-limit/refusal-retention.js";
export {
  type AccessInvalidation,
  type AccessInvalidationDeps,
  INVALIDATION_BATCH,
  makeAccessInvalidation,
} from "./rbac/access-invalidation.js";
export {
  type AssignUserRoles,
  makeAssignUserRoles,
  type RoleSelector,
  type UserRoles,
  type UserRolesDeps,
} from "./rbac/assign-user-roles.js";
export { type CreatePermission, type CreatePermissionDeps, makeCreatePermission } from "./rbac/create-permission.js";
export { type CreateRole, type CreateRoleDeps, makeCreateRole, type RoleFields } from "./rbac/create-role.js";
export { type DeleteRole, type DeleteRoleDeps, makeDeleteRole } from "./rbac/delete-role.js";
export {
  type GrantRolePermissions,
  makeGrantRolePermissions,
  type RolePermissionsDeps,
} from "./rbac/grant-role-permissions.js";
export {
  type ListPermissions,
  type ListRoles,
  type ListRolesDeps,
  makeListPermissions,
  makeListRoles,
} from "./rbac/list-roles.js";
export { type AdminActor, assertMayGrant, type Grant } from "./rbac/privilege.js";
export { makeRevokeRolePermission, type RevokeRolePermission } from "./rbac/revoke-role-permission.js";
export { makeUnassignUserRole, type UnassignUserRole } from "./rbac/unassign-user-role.js";
export { makeUpdateRole, type UpdateRole, type UpdateRoleDeps } from "./rbac/update-role.js";
export {
  makeRequestPasswordReset,
  type RequestPasswordReset,
  type RequestPasswordResetDeps,
} from "./recovery/request-password-reset.js";
export {
  makeResetPassword,
  type ResetPassword,
  type ResetPasswordDeps,
  type ResetPasswordInput,
} from "./recovery/reset-password.js";
export { type CheckEmail, type CheckEmailDeps, makeCheckEmail } from "./registration/check-email.js";
export { type NewAccountInput, validateNewAccount } from "./registration/new-account.js";
export {
  makeRegisterUser,
  type RegisterUser,
  type RegisterUserDeps,
  type RegisterUserInput,
  type Registration,
} from "./registration/register-user.js";
export {
  makeResendVerification,
  type ResendVerification,
  type ResendVerificationDeps,
} from "./registration/resend-verification.js";
export {
  makeVerifyEmail,
  type VerifyEmail,
  type VerifyEmailDeps,
  type VerifyEmailInput,
} from "./registration/verify-email.js";
export {
  CacheKeys,
  type CacheKind,
  CacheShapeVersions,
  CacheTtlSeconds,
  readCached,
  userCacheKeys,
  writeCached,
} from "./shared/cache-keys.js";
export { type LifecyclePolicy, LinkPaths } from "./shared/lifecycle-policy.js";
