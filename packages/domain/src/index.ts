export type { AuditAction, AuditEntry, AuditLogQuery, AuditRecord, RequestContext } from "./audit/audit-entry.js";
export {
  ChatCloseCodes,
  type ChatFrameErrorCode,
  type ClientFrame,
  isMessageId,
  type MessageFrame,
  type ParsedFrame,
  type PresenceFrame,
  parseClientFrame,
  type ServerFrame,
  toMessageFrame,
} from "./chat/chat-frames.js";
export { type ChatLimits, DEFAULT_CHAT_LIMITS, HISTORY_PAGE_DEFAULT, HISTORY_PAGE_MAX } from "./chat/chat-limits.js";
export {
  type ChatMessage,
  type ChatRoom,
  type ChatRoomSummary,
  checkRoomName,
  checkRoomSlug,
  displayName,
  GENERAL_ROOM_ID,
  type NewChatMessage,
  ROOM_DESCRIPTION_MAX,
  ROOM_NAME_MAX,
  SYSTEM_SENDER_ID,
  SYSTEM_SENDER_NAME,
} from "./chat/chat-room.js";
export { DomainError, type FieldIssue, isDomainError, validationError } from "./errors/domain-error.js";
export {
  type DetailsOf,
  ERROR_TABLE,
  type ErrorCode,
  ErrorCodes,
  type ErrorDetails,
  type ErrorEntry,
  type RateLimitDetails,
  statusOf,
} from "./errors/error-codes.js";
export type { PasswordFeedback } from "./errors/field-issue.js";
export {
  AUTHORIZATION_STATE_TTL_MS,
  type AuthorizationState,
  type FederatedIdentity,
  HANDOFF_CODE_TTL_MS,
  type HandoffCode,
  type ProviderProfile,
} from "./federation/federated-identity.js";
export type { CodeMailData, MailMessage, MailTemplateName, OutgoingMail } from "./mail/mail-message.js";
export {
  type AssuranceLevel,
  type AuthMethod,
  firstFactorAssurance,
  guardsLogin,
  type MfaChallengePurpose,
  type MfaFactor,
  type MfaFactorType,
  type MfaPolicy,
  parseMfaPolicy,
  passkeyAssurance,
  policyRequiresFactor,
  type SessionAssurance,
  withSecondFactor,
} from "./mfa/mfa.js";
export {
  counterAdvances,
  passkeyMethod,
  WEBAUTHN_CHALLENGE_TTL_SECONDS,
  type WebAuthnCeremony,
  type WebAuthnChallenge,
  type WebAuthnCredential,
} from "./mfa/webauthn.js";
export type { AccessTokenClaims, AccessTokens, IssuedAccessToken } from "./ports/access-tokens.js";
export type { AuditLog } from "./ports/audit-log.js";
export type { Cache } from "./ports/cache.js";
export type { ChatBus, ChatEvent } from "./ports/chat-bus.js";
export type { ChatPresenceBoard } from "./ports/chat-presence-board.js";
export type {
  ChatRepository,
  ChatRoomPatch,
  ChatUnitOfWork,
  MessageWindow,
  NewChatRoom,
} from "./ports/chat-repository.js";
export type { Clock } from "./ports/clock.js";
export type { DeviceTokenRepository } from "./ports/device-token-repository.js";
export type { ExternalAccessTokens, ExternalTokenIdentity } from "./ports/external-access-tokens.js";
export type {
  FederatedIdentityRepository,
  FederationFlowRepository,
  FederationRepositories,
  FederationUnitOfWork,
} from "./ports/federation-repository.js";
export type { HealthProbe } from "./ports/health-probe.js";
export type { HostInfo, SystemInfo } from "./ports/host-info.js";
export {
  type AuthorizationExpectation,
  type AuthorizationRequest,
  FederationFailure,
  type IdentityProvider,
  type IdentityProviders,
} from "./ports/identity-provider.js";
export type { JobLock } from "./ports/job-lock.js";
export type { KeycloakAccount, KeycloakAccountState, KeycloakDirectory } from "./ports/keycloak-directory.js";
export type { KeycloakSignIn, KeycloakTokenSet } from "./ports/keycloak-sign-in.js";
export type {
  ClaimedKeycloakSync,
  HeldKeycloakSession,
  KeycloakSessionStore,
  KeycloakSyncOperation,
  KeycloakSyncOutbox,
  KeycloakSyncQueue,
  KeycloakSyncRepositories,
} from "./ports/keycloak-sync.js";
export type { ClaimedMail, MailOutbox, MailQueue } from "./ports/mail-outbox.js";
export type { MailThrottle, ThrottleLimits, ThrottleVerdict } from "./ports/mail-throttle.js";
export type { Mailer } from "./ports/mailer.js";
export type { MaintenanceRepository } from "./ports/maintenance-repository.js";
export type {
  MfaChallenge,
  MfaRepository,
  QrCodes,
  RecoveryCodes,
  SecretBox,
  Totp,
  TotpFactorRecord,
} from "./ports/mfa-repository.js";
export type { OneTimeCodeRepository } from "./ports/one-time-code-repository.js";
export type { OneTimeSecrets } from "./ports/one-time-secrets.js";
export type { OpaqueTokens } from "./ports/opaque-tokens.js";
export type { PasswordHasher } from "./ports/password-hasher.js";
export type { PasswordAdvisor, PasswordScreen } from "./ports/password-screen.js";
export type { RateLimitRefusalLog, RateLimitRefusals, RefusalCount } from "./ports/rate-limit-refusals.js";
export type { RateLimitDecision, RateLimiter, RateLimitRule } from "./ports/rate-limiter.js";
export type {
  RefreshTokenPresentation,
  RefreshTokenPresentationResult,
  RefreshTokenRepository,
  RotatedTokenInput,
} from "./ports/refresh-token-repository.js";
export type { RevokedSessionsFeed } from "./ports/revoked-sessions-feed.js";
export type { PermissionInput, RoleInput, RoleRepository } from "./ports/role-repository.js";
export type { SessionRevocations } from "./ports/session-revocations.js";
export {
  type CacheResult,
  CacheResults,
  type DbOperation,
  DbOperations,
  type LoginOutcome,
  LoginOutcomes,
  NO_TELEMETRY,
  type RegistrationOutcome,
  RegistrationOutcomes,
  type Telemetry,
  type TokenRefreshOutcome,
  TokenRefreshOutcomes,
} from "./ports/telemetry.js";
export type { TransactionalRepositories, UnitOfWork } from "./ports/unit-of-work.js";
export type { FindUserOptions, UserRepository } from "./ports/user-repository.js";
export type {
  NewWebAuthnCredential,
  VerifiedWebAuthnAssertion,
  VerifiedWebAuthnRegistration,
  WebAuthnChallengeStore,
  WebAuthnCredentialDescriptor,
  WebAuthnCredentialRepository,
  WebAuthnOptionsJson,
  WebAuthnRelyingParty,
  WebAuthnResponseJson,
} from "./ports/webauthn.js";
export {
  DEFAULT_RATE_LIMIT_POLICY,
  DEVELOPMENT_RATE_LIMIT_POLICY,
  defaultRateLimitPolicy,
  describeWindow,
  RateLimitCategories,
  type RateLimitCategory,
  type RateLimitPolicy,
  rateLimitExceeded,
} from "./rate-limit/rate-limit.js";
export {
  DEVICE_TOKEN_COOKIE,
  DEVICE_TOKEN_HEADER,
  type DeviceToken,
  type NewDeviceToken,
} from "./token/device-token.js";
export {
  type ActiveSession,
  judgePresentedToken,
  MAX_RETRY_CHAIN,
  type NewRefreshToken,
  type PresentedTokenVerdict,
  pendingSuccessorOf,
  type RefreshToken,
  type RevocationReason,
  type TokenById,
} from "./token/refresh-token.js";
export {
  type AccountStatus,
  AccountStatuses,
  assertTransition,
  canTransition,
  SELF_DEACTIVATION_REASON,
  sessionBlockedError,
} from "./user/account-status.js";
export { checkEmail, maskEmail, normalizeEmail } from "./user/email.js";
export {
  checkPassword,
  DEFAULT_PASSWORD_POLICY,
  type PasswordPolicy,
  passwordLength,
} from "./user/password-policy.js";
export {
  checkDescription,
  checkPermissionName,
  checkRoleName,
  DESCRIPTION_MAX,
  hasPermission,
  type Permission,
  type PermissionName,
  Permissions,
  type Role,
  type RoleDetails,
  type RoleWithPermissions,
  type SystemRoleName,
  SystemRoles,
  type UserAccess,
} from "./user/role.js";
export {
  codesEndedBy,
  isActive,
  type KeycloakSyncStatus,
  KeycloakSyncStatuses,
  type NewUser,
  type Page,
  permissionsOf,
  type RoleGrant,
  UNUSABLE_PASSWORD_HASH,
  type User,
  UserChanges,
  type UserExpectation,
  type UserListQuery,
  type UserSortField,
  UserSortFields,
  type UserStatistics,
  type UserSummary,
  type UserWithRoles,
} from "./user/user.js";
export { checkUsername, USERNAME_MAX, USERNAME_MIN } from "./user/username.js";
export {
  judgeCode,
  MAX_CODE_ATTEMPTS,
  type NewOneTimeCode,
  type OneTimeCode,
  type OneTimeCodePurpose,
  OneTimeCodePurposes,
} from "./verification/one-time-code.js";
