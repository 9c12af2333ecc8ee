import { DomainError } from "../errors/domain-error.js";
import type { ErrorCode } from "../errors/error-codes.js";

/** The account lifecycle (README, Account lifecycle). Soft deletion is orthogonal (`deleted_at`), not a status. */
export const AccountStatuses = [
  "pending_verification",
  "pending_approval",
  "active",
  "suspended",
  "deactivated",
] as const;

export type AccountStatus = (typeof AccountStatuses)[number];

const TRANSITIONS: Readonly<Record<AccountStatus, readonly AccountStatus[]>> = {
  pending_verification: ["pending_approval", "active"],
  pending_approval: ["active"],
  active: ["suspended", "deactivated"],
  suspended: ["active"],
  deactivated: ["active"],
};

/**
 * `status_reason` of an account its owner deactivated. Only such an account may come back by
 * itself (POST /auth/reactivate); an administrator's suspension is `suspended`, another status.
 */
export const SELF_DEACTIVATION_REASON = "self_deactivated";

export function canTransition(from: AccountStatus, to: AccountStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** Throws INVALID_STATUS_TRANSITION when `from → to` is not an edge of the state machine. */
export function assertTransition(from: AccountStatus, to: AccountStatus): void {
  if (!canTransition(from, to)) {
    throw new DomainError("INVALID_STATUS_TRANSITION", `Cannot change account status from ${from} to ${to}`, {
      from,
      to,
    });
  }
}

const BLOCKED_LOGIN: Readonly<Record<Exclude<AccountStatus, "active">, { code: ErrorCode; message: string }>> = {
  pending_verification: { code: "ACCOUNT_NOT_VERIFIED", message: "Email address not verified" },
  pending_approval: { code: "ACCOUNT_PENDING_APPROVAL", message: "Account is waiting for approval" },
  suspended: { code: "ACCOUNT_SUSPENDED", message: "Account is suspended" },
  deactivated: { code: "ACCOUNT_DEACTIVATED", message: "Account is deactivated" },
};

/**
 * The error that stops a user in `status` from holding a session, or `undefined` when the
 * user may. Callers raise it only after the password was proven, so it reveals nothing to
 * someone who does not know the password.
 */
export function sessionBlockedError(status: AccountStatus): DomainError | undefined {
  if (status === "active") return undefined;
  const blocked = BLOCKED_LOGIN[status];
  return new DomainError(blocked.code, blocked.message);
}
