import type { OneTimeCode, ThrottleLimits, User } from "@gatehouse/domain";

/** The lifecycle settings (README, "Configuration") the self-service use cases read. */
export interface LifecyclePolicy {
  readonly requireEmailVerification: boolean;
  readonly requireAdminApproval: boolean;
  readonly verificationTtlHours: number;
  readonly passwordResetTtlMinutes: number;
  /** Per address, for verification resends and reset requests. */
  readonly resendLimits: ThrottleLimits;
  /** Links in mails are built from this, never from a request's Host header. */
  readonly publicBaseUrl: string;
  readonly enumerationProtection: boolean;
  /** The paths mailed links open under `publicBaseUrl`; a purpose not named here uses `LinkPaths`. */
  readonly linkPaths?: Partial<Record<keyof typeof LinkPaths, string>>;
}

export const HOUR_MS = 3_600_000;

/** The pages the mailed links open by default (the hosted pages serve all three); each posts the token back. */
export const LinkPaths = {
  verify_email: "/verify-email",
  change_email: "/verify-email-change",
  reset_password: "/reset-password",
} as const;

/** The frontend page that asks for a reset code: what a lockout notice points to (no token in it). */
export const FORGOT_PASSWORD_PATH = "/forgot-password";

/**
 * Whether a `pending_verification` registration is over: its latest verification code expired
 * (a resend renews it), or, with no code at all, it is older than the verification TTL.
 */
export function registrationExpired(
  user: Pick<User, "createdAt">,
  latestCode: Pick<OneTimeCode, "expiresAt"> | undefined,
  now: Date,
  verificationTtlHours: number,
): boolean {
  const end = latestCode?.expiresAt.getTime() ?? user.createdAt.getTime() + verificationTtlHours * HOUR_MS;
  return end <= now.getTime();
}
