import { DomainError, type RequestContext, validationError } from "@gatehouse/domain";
import { type ChangeAccountStatusDeps, changeAccountStatus } from "./change-account-status.js";
import type { AdminActor } from "./user-administration.js";

const REASON_MAX = 500;

/**
 * `active` → `suspended` with the reason stored on the user; every session ends at once, so
 * the user's unexpired access tokens fail on their next request. Suspending yourself is
 * refused: it would lock the caller out mid-request.
 */
export function makeSuspendUser(deps: ChangeAccountStatusDeps) {
  return async (actor: AdminActor, userId: string, reason: string, ctx: RequestContext) => {
    const trimmed = reason.trim();
    if (trimmed.length === 0 || trimmed.length > REASON_MAX) {
      throw validationError([{ field: "reason", message: `must be 1-${REASON_MAX} characters` }]);
    }
    if (actor.id === userId) throw new DomainError("INVALID_STATUS_TRANSITION", "You cannot suspend yourself");
    return changeAccountStatus(
      deps,
      { action: "user.suspend", from: ["active"], to: "suspended", endsSessions: true },
      actor,
      userId,
      ctx,
      trimmed,
    );
  };
}

export type SuspendUser = ReturnType<typeof makeSuspendUser>;
