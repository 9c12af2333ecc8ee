// Over 300 lines on purpose: the API's whole dependency contract (every use-case group and option buildApp takes) in one place.
import type {
  AddChatMember,
  AnnouncePresence,
  ApproveUser,
  AssignUserRoles,
  Authenticate,
  Authorize,
  ChangePassword,
  ChatHub,
  ChatPresenceSync,
  CheckEmail,
  CheckHealth,
  CheckRateLimit,
  CompleteFederatedLogin,
  ConfirmEmailChange,
  ConfirmTotpEnrolment,
  CreateChatRoom,
  CreatePermission,
  CreateRole,
  CreateUser,
  DeactivateAccount,
  DeleteAccount,
  DeleteChatRoom,
  DeleteRole,
  DeleteUser,
  DeleteUserPermanently,
  DescribeHost,
  ExchangeHandoffCode,
  FinishPasskeyRegistration,
  FinishRequiredTotpEnrolment,
  GetCurrentUser,
  GetDailyActivity,
  GetUser,
  GetUserStatistics,
  GrantRolePermissions,
  IdentifyChatUser,
  ImportUsers,
  JoinChatRoom,
  ListAuditLogs,
  ListChatMessages,
  ListChatRooms,
  ListDevices,
  ListFactors,
  ListIdentities,
  ListPermissions,
  ListRoles,
  ListSessions,
  ListUsers,
  LogIn,
  LogInWithPasskey,
  LogOut,
  PasskeyLoginOptions,
  PasskeySecondFactorOptions,
  PostChatMessage,
  ReactivateAccount,
  ReactivateUser,
  RefreshSession,
  RegenerateRecoveryCodes,
  RegisterUser,
  RemoveChatMember,
  RemoveFactor,
  RequestPasswordReset,
  RequireAssurance,
  ResendVerification,
  ResetPassword,
  ResetUserMfa,
  ResolvePageSession,
  RestoreUser,
  RevokeDevice,
  RevokeRolePermission,
  RevokeSession,
  RevokeUserSessions,
  StartFederatedLogin,
  StartPasskeyRegistration,
  StartRequiredTotpEnrolment,
  StartTotpEnrolment,
  StepUp,
  StepUpPasskeyOptions,
  SuspendUser,
  UnassignUserRole,
  UnlinkIdentity,
  UnlinkUserIdentity,
  UpdateChatRoom,
  UpdateProfile,
  UpdateRole,
  UpdateUser,
  VerifyEmail,
  VerifyMfaLogin,
} from "@gatehouse/application";
import type { ChatLimits, Telemetry } from "@gatehouse/domain";
import type { FastifyBaseLogger } from "fastify";

/** Sign-in and the per-request checks: tokens, sessions, permissions (application `auth/`). */
export interface AuthUseCases {
  readonly logIn: LogIn;
  readonly refreshSession: RefreshSession;
  readonly logOut: LogOut;
  readonly authenticate: Authenticate;
  readonly authorize: Authorize;
}

/** Self-registration and its email verification (application `registration/`). */
export interface RegistrationUseCases {
  readonly registerUser: RegisterUser;
  readonly verifyEmail: VerifyEmail;
  readonly resendVerification: ResendVerification;
  /** Absent when ENUMERATION_PROTECTION is on: the route then does not exist (404). */
  readonly checkEmail?: CheckEmail;
}

/** A forgotten password (application `recovery/`). */
export interface RecoveryUseCases {
  readonly requestPasswordReset: RequestPasswordReset;
  readonly resetPassword: ResetPassword;
}

/** The signed-in user acting on their own account and sessions (application `account/`). */
export interface AccountUseCases {
  readonly getCurrentUser: GetCurrentUser;
  readonly updateProfile: UpdateProfile;
  readonly confirmEmailChange: ConfirmEmailChange;
  readonly changePassword: ChangePassword;
  readonly deactivateAccount: DeactivateAccount;
  readonly reactivateAccount: ReactivateAccount;
  readonly deleteAccount: DeleteAccount;
  readonly listSessions: ListSessions;
  readonly revokeSession: RevokeSession;
  readonly listDevices: ListDevices;
  readonly revokeDevice: RevokeDevice;
}

/** An administrator acting on other users, and the audit log (application `admin/`). */
export interface AdminUseCases {
  readonly listUsers: ListUsers;
  readonly getUserStatistics: GetUserStatistics;
  /** The dashboard's per-day series (registrations, sign-ins, failed sign-ins) from the audit trail. */
  readonly getDailyActivity: GetDailyActivity;
  readonly getUser: GetUser;
  readonly createUser: CreateUser;
  readonly updateUser: UpdateUser;
  readonly deleteUser: DeleteUser;
  readonly restoreUser: RestoreUser;
  readonly deleteUserPermanently: DeleteUserPermanently;
  readonly approveUser: ApproveUser;
  readonly suspendUser: SuspendUser;
  readonly reactivateUser: ReactivateUser;
  readonly resetUserMfa: ResetUserMfa;
  readonly revokeUserSessions: RevokeUserSessions;
  readonly listAuditLogs: ListAuditLogs;
  readonly importUsers: ImportUsers;
}

/** Roles, permissions and role assignments (application `rbac/`). */
export interface RbacUseCases {
  readonly listRoles: ListRoles;
  readonly createRole: CreateRole;
  readonly updateRole: UpdateRole;
  readonly deleteRole: DeleteRole;
  readonly grantRolePermissions: GrantRolePermissions;
  readonly revokeRolePermission: RevokeRolePermission;
  readonly listPermissions: ListPermissions;
  readonly createPermission: CreatePermission;
  readonly assignUserRoles: AssignUserRoles;
  readonly unassignUserRole: UnassignUserRole;
}

/** Chat rooms, history and the WebSocket protocol (README "Chat"). */
export interface ChatUseCases {
  readonly listRooms: ListChatRooms;
  readonly createRoom: CreateChatRoom;
  readonly updateRoom: UpdateChatRoom;
  readonly deleteRoom: DeleteChatRoom;
  readonly addMember: AddChatMember;
  readonly removeMember: RemoveChatMember;
  readonly listMessages: ListChatMessages;
  readonly identify: IdentifyChatUser;
  readonly joinRoom: JoinChatRoom;
  readonly postMessage: PostChatMessage;
  readonly announcePresence: AnnouncePresence;
  readonly hub: ChatHub;
  /** The cluster-wide presence; stopped when the sockets are closed on shutdown. */
  readonly presence: ChatPresenceSync;
  readonly limits: ChatLimits;
  /** Accept the token as `?token=` on the upgrade URL (CHAT_ALLOW_QUERY_TOKEN). */
  readonly allowQueryToken: boolean;
}

/**
 * The use cases the HTTP API calls, grouped like the application's feature folders;
 * `apps/server` builds each group in its own wiring function from real adapters.
 */
export interface ApiUseCases {
  readonly auth: AuthUseCases;
  readonly registration: RegistrationUseCases;
  readonly recovery: RecoveryUseCases;
  readonly account: AccountUseCases;
  readonly admin: AdminUseCases;
  readonly rbac: RbacUseCases;
  readonly health: { readonly checkHealth: CheckHealth };
  readonly rateLimit: { readonly checkRateLimit: CheckRateLimit };
  /** Absent: no chat routes. */
  readonly chat?: ChatUseCases;
  /** Absent: no federated-login routes. */
  readonly federation?: FederationUseCases;
  /** Absent: no identity routes, and the admin user view lists no identities. */
  readonly identities?: IdentityUseCases;
  /** Second factors; without it the MFA routes are absent (logins are gated in the use cases either way). */
  readonly mfa?: MfaUseCases;
  /** PASSKEY_LOGIN=true: passwordless sign-in; absent, its routes are too. */
  readonly passkeyLogin?: PasskeyLoginUseCases;
  /** Absent: no hosted pages. */
  readonly pages?: PageUseCases;
}

/** What only the hosted pages need: their cookie's session (application `auth/page-session`). */
export interface PageUseCases {
  readonly resolvePageSession: ResolvePageSession;
}

/** Branding and addresses of the hosted pages (README "Hosted pages"). */
export interface PagesOptions {
  readonly productName: string;
  /** An image above every form; its origin is added to the pages' CSP `img-src`. */
  readonly logoUrl?: string;
  /** `#rrggbb`, contrast with white checked at start. */
  readonly color: string;
  /** PUBLIC_BASE_URL: a form post must come from this origin (or the request's own). */
  readonly publicBaseUrl: string;
  /** The enabled providers (OAUTH_PROVIDERS): /login shows a sign-in button for each. */
  readonly providers?: readonly string[];
}

/** Linked provider accounts: the owner's and an administrator's view (application `federation/`, `admin/`). */
export interface IdentityUseCases {
  readonly listIdentities: ListIdentities;
  readonly unlinkIdentity: UnlinkIdentity;
  readonly unlinkUserIdentity: UnlinkUserIdentity;
}

/** Second factors: enrolment and management under /users/me/mfa, the login step at /auth/mfa/verify. */
export interface MfaUseCases {
  readonly verifyMfaLogin: VerifyMfaLogin;
  readonly startTotpEnrolment: StartTotpEnrolment;
  readonly confirmTotpEnrolment: ConfirmTotpEnrolment;
  readonly regenerateRecoveryCodes: RegenerateRecoveryCodes;
  readonly listFactors: ListFactors;
  readonly removeFactor: RemoveFactor;
  readonly startPasskeyRegistration: StartPasskeyRegistration;
  readonly finishPasskeyRegistration: FinishPasskeyRegistration;
  readonly passkeySecondFactorOptions: PasskeySecondFactorOptions;
  /** The one step-up check behind routes declaring `requireAal` (the assurance hook). */
  readonly requireAssurance: RequireAssurance;
  /** POST /auth/mfa/step-up: raises the caller's session to aal2. */
  readonly stepUp: StepUp;
  readonly stepUpPasskeyOptions: StepUpPasskeyOptions;
  /** The enrolment MFA_POLICY requires before a login finishes (an enrolment-only `mfa_token`). */
  readonly startRequiredTotpEnrolment: StartRequiredTotpEnrolment;
  readonly finishRequiredTotpEnrolment: FinishRequiredTotpEnrolment;
}

/** Passwordless sign-in with a discoverable passkey (application `auth/`). */
export interface PasskeyLoginUseCases {
  readonly passkeyLoginOptions: PasskeyLoginOptions;
  readonly logInWithPasskey: LogInWithPasskey;
}

/** Federated login (application `federation/`). */
export interface FederationUseCases {
  readonly startFederatedLogin: StartFederatedLogin;
  readonly completeFederatedLogin: CompleteFederatedLogin;
  readonly exchangeHandoffCode: ExchangeHandoffCode;
}

/** A message kept by the development mailbox, as the API shows it. */
export interface DevMailView {
  readonly to: string;
  readonly template: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly deliveredAt: Date;
}

/** Read access to the development mailbox (see GET /dev/mailbox). */
export interface DevMailboxReader {
  /** Newest first; `to` filters by recipient. */
  list(to?: string): readonly DevMailView[];
}

/** Minimum response times, in milliseconds, of the answers that must not reveal an account. */
export interface ResponseFloors {
  readonly mailRequestsMs: number;
  readonly registerMs: number | undefined;
}

/** The Prometheus exposition of the server's metrics. */
export interface MetricsExposition {
  render(): Promise<{ readonly contentType: string; readonly body: string }>;
}

/** What `/.well-known/jwks.json` and `/.well-known/openid-configuration` publish. */
export interface TokenKeysView {
  readonly issuer: string;
  /** Where the server is reached from outside (PUBLIC_BASE_URL), for `jwks_uri`. */
  readonly publicBaseUrl: string;
  /** The algorithm new tokens are signed with (JWT_ALGORITHM). */
  readonly algorithm: string;
  /** Public JWKs only: an HS256 secret has none. */
  publicJwks(): readonly Record<string, unknown>[];
}

export interface AppOptions {
  readonly useCases: ApiUseCases;
  readonly logger: FastifyBaseLogger;
  readonly version: string;
  readonly bodyLimitBytes: number;
  readonly corsAllowedOrigins: readonly string[];
  /**
   * Fastify's `trustProxy` (TRUST_PROXY): false uses the socket address as the client's and
   * ignores X-Forwarded-For; a hop count or proxy addresses/CIDRs let only those proxies
   * name the client. The client address keys the per-IP rate limits.
   */
  readonly trustProxy: false | number | readonly string[];
  /** Readiness answers 503 once this returns true (graceful shutdown has begun). */
  readonly isShuttingDown: () => boolean;
  /** Serves GET /dev/mailbox when given; the server passes it only outside production. */
  readonly devMailbox?: DevMailboxReader;
  /** DEV_MAILBOX_TOKEN: opens the mailbox to non-loopback clients sending it as a bearer token. */
  readonly devMailboxToken?: string;
  /**
   * Minimum response times of the answers that must not reveal whether an account exists
   * (forgot-password and resend; registration only with enumeration protection). Absent: none.
   */
  readonly responseFloors?: ResponseFloors;
  /** Process start, for `uptime_seconds`. */
  readonly startedAt?: Date;
  /** The host's figures for holders of `system:read` in `/health` and `/health/details`; absent: never shown. */
  readonly describeHost?: DescribeHost;
  /** Told of every answered request (route template, status, duration); absent: metrics are off. */
  readonly telemetry?: Pick<Telemetry, "httpRequest">;
  /** Serves `GET /metrics` on this port behind a bearer token (METRICS_TOKEN); absent: not served here. */
  readonly metricsEndpoint?: MetricsExposition & { readonly token: string };
  /** Serves the hosted pages (`/login`, `/account`, …) when given together with `useCases.pages`. */
  readonly pages?: PagesOptions;
  /** Serves the `/.well-known` key documents when given. */
  readonly tokenKeys?: TokenKeysView;
  /**
   * Tracing is on (README "Operations → Tracing"): each request's active span is named by its
   * route template and given the request id. Absent or false: no hook at all.
   */
  readonly tracing?: boolean;
  /**
   * Serve HTTPS with this key and certificate (and TLS version floor) instead of HTTP. Absent:
   * plain HTTP (TLS ends at a proxy). `Strict-Transport-Security` is sent either way: browsers
   * honour it only over HTTPS, which a TLS-terminating proxy provides.
   */
  readonly https?: { readonly cert: Buffer; readonly key: Buffer; readonly minVersion: "TLSv1.2" | "TLSv1.3" };
}
