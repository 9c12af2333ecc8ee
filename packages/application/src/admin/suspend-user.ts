import { DomainError, type RequestContext, validationError } from "@gatehouse/domain";
import { statusChange } from "./status-change.js";
import type { AdminActor } from "./user-administration.js";
import { type AdminChangeDeps, runAdminChange } from "./user-change.js";

const REASON_MAX = 500;

/**
 * `active` → `suspended` with the reason stored on the user; every session ends at once, so
 * the user's unexpired access tokens fail on their next request. Suspending yourself is
 * refused: it would lock the caller out mid-request.
 */
export function makeSuspendUser(deps: AdminChangeDeps) {
  return async (actor: AdminActor, userId: string, reason: string, ctx: RequestContext) => {
    const trimmed = reason.trim();
    if (trimmed.length === 0 || trimmed.length > REASON_MAX) {
      throw validationError([{ field: "reason", message: `must be 1-${REASON_MAX} characters` }]);
    }
    if (actor.id === userId) throw new DomainError("INVALID_STATUS_TRANSITION", "You cannot suspend yourself");
    const step = { action: "user.suspend", from: ["active"], to: "suspended", endsSessions: true } as const;
    return runAdminChange(deps, statusChange(step, trimmed), actor, userId, ctx);
  };
}

export type SuspendUser = ReturnType<typeof makeSuspendUser>;
