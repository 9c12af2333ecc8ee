import { type AccountStatus, type AuditAction, assertTransition, DomainError, UserChanges } from "@gatehouse/domain";
import { changesBetween } from "./user-administration.js";
import type { AdminChange } from "./user-change.js";

/** One administrative lifecycle step as data: which states it leaves, where it goes. */
export interface StatusStep {
  readonly action: AuditAction;
  readonly from: readonly AccountStatus[];
  readonly to: AccountStatus;
  /** Ends every session of the user (the step takes the right to sign in away). */
  readonly endsSessions: boolean;
}

/** The administrative change that moves a user along the account-status state machine. */
export function statusChange(step: StatusStep, reason: string | null = null): AdminChange {
  return {
    action: step.action,
    guard(target) {
      if (!step.from.includes(target.status)) {
        throw new DomainError(
          "INVALID_STATUS_TRANSITION",
          `Cannot ${step.action.slice(5)} a user who is ${target.status}`,
          { from: target.status, to: step.to },
        );
      }
      assertTransition(target.status, step.to);
    },
    changes: (_target, now) => UserChanges.status(step.to, reason, now),
    endsSessions: () => step.endsSessions,
    details: (before, after, sessionsRevoked) => ({
      changes: changesBetween(before, after, ["status", "statusReason"]),
      ...(step.endsSessions ? { sessions_revoked: sessionsRevoked } : {}),
    }),
  };
}
