import type {
  ApproveUser,
  AssignUserRoles,
  Authenticate,
  Authorize,
  ChangePassword,
  CheckEmail,
  CheckHealth,
  CheckRateLimit,
  ConfirmEmailChange,
  CreatePermission,
  CreateRole,
  CreateUser,
  DeactivateAccount,
  DeleteAccount,
  DeleteRole,
  DeleteUser,
  DeleteUserPermanently,
  DescribeHost,
  GetCurrentUser,
  GetUser,
  GetUserStatistics,
  GrantRolePermissions,
  ListAuditLogs,
  ListPermissions,
  ListRoles,
  ListSessions,
  ListUsers,
  LogIn,
  LogOut,
  ReactivateAccount,
  ReactivateUser,
  RefreshSession,
  RegisterUser,
  RequestPasswordReset,
  ResendVerification,
  ResetPassword,
  RestoreUser,
  RevokeRolePermission,
  RevokeSession,
  SuspendUser,
  UnassignUserRole,
  UpdateProfile,
  UpdateRole,
  UpdateUser,
  VerifyEmail,
} from "@gatehouse/application";
import type { Telemetry } from "@gatehouse/domain";
import type { FastifyBaseLogger } from "fastify";

/** Roles, permissions and role assignments (PRD §4.9.1 roles rows, §4.9.2, §4.9.3). */
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

/** The use cases the HTTP API calls; `apps/server` builds them from real adapters. */
export interface ApiUseCases {
  readonly registerUser: RegisterUser;
  readonly logIn: LogIn;
  readonly refreshSession: RefreshSession;
  readonly logOut: LogOut;
  readonly getCurrentUser: GetCurrentUser;
  readonly authenticate: Authenticate;
  readonly authorize: Authorize;
  readonly checkHealth: CheckHealth;
  readonly checkRateLimit: CheckRateLimit;
  readonly listUsers: ListUsers;
  readonly getUserStatistics: GetUserStatistics;
  readonly getUser: GetUser;
  readonly createUser: CreateUser;
  readonly updateUser: UpdateUser;
  readonly deleteUser: DeleteUser;
  readonly restoreUser: RestoreUser;
  readonly deleteUserPermanently: DeleteUserPermanently;
  readonly approveUser: ApproveUser;
  readonly suspendUser: SuspendUser;
  readonly reactivateUser: ReactivateUser;
  readonly listAuditLogs: ListAuditLogs;
  readonly rbac: RbacUseCases;
  readonly changePassword: ChangePassword;
  readonly deactivateAccount: DeactivateAccount;
  readonly reactivateAccount: ReactivateAccount;
  readonly deleteAccount: DeleteAccount;
  readonly listSessions: ListSessions;
  readonly revokeSession: RevokeSession;
  readonly verifyEmail: VerifyEmail;
  readonly resendVerification: ResendVerification;
  /** Absent when ENUMERATION_PROTECTION is on: the route then does not exist (404). */
  readonly checkEmail?: CheckEmail;
  readonly requestPasswordReset: RequestPasswordReset;
  readonly resetPassword: ResetPassword;
  readonly updateProfile: UpdateProfile;
  readonly confirmEmailChange: ConfirmEmailChange;
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

/** The Prometheus exposition of the server's metrics. */
export interface MetricsExposition {
  render(): Promise<{ readonly contentType: string; readonly body: string }>;
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
  /**
   * Minimum response times of the answers that must not reveal whether an account exists
   * (forgot-password and resend; registration only with enumeration protection). Absent: none.
   */
  readonly responseFloors?: { readonly mailRequestsMs: number; readonly registerMs: number | undefined };
  /** Process start, for `uptime_seconds`. */
  readonly startedAt?: Date;
  /** The host's figures for holders of `system:read` in `/health` and `/health/details`; absent: never shown. */
  readonly describeHost?: DescribeHost;
  /** Told of every answered request (route template, status, duration); absent: metrics are off. */
  readonly telemetry?: Pick<Telemetry, "httpRequest">;
  /** Serves `GET /metrics` on this port behind a bearer token (METRICS_TOKEN); absent: not served here. */
  readonly metricsEndpoint?: MetricsExposition & { readonly token: string };
  /**
   * Serve HTTPS with this key and certificate (and TLS version floor) instead of HTTP. Absent:
   * plain HTTP (TLS ends at a proxy). `Strict-Transport-Security` is sent either way: browsers
   * honour it only over HTTPS, which a TLS-terminating proxy provides.
   */
  readonly https?: { readonly cert: Buffer; readonly key: Buffer; readonly minVersion: "TLSv1.2" | "TLSv1.3" };
}
