import type {
  Authenticate,
  Authorize,
  CheckEmail,
  CheckHealth,
  CheckRateLimit,
  ConfirmEmailChange,
  GetCurrentUser,
  LogIn,
  LogOut,
  RefreshSession,
  RegisterUser,
  RequestPasswordReset,
  ResendVerification,
  ResetPassword,
  UpdateProfile,
  VerifyEmail,
} from "@gatehouse/application";
import type { FastifyBaseLogger } from "fastify";

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
}
