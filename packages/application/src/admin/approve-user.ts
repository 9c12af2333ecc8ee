import type { RequestContext } from "@gatehouse/domain";
import { type ChangeAccountStatusDeps, changeAccountStatus } from "./change-account-status.js";
import type { AdminActor } from "./user-administration.js";

/** Seed 004's approval: `pending_approval` → `active`; any other state is INVALID_STATUS_TRANSITION. */
export function makeApproveUser(deps: ChangeAccountStatusDeps) {
  return (actor: AdminActor, userId: string, ctx: RequestContext) =>
    changeAccountStatus(
      deps,
      { action: "user.approve", from: ["pending_approval"], to: "active", endsSessions: false },
      actor,
      userId,
      ctx,
    );
}

export type ApproveUser = ReturnType<typeof makeApproveUser>;
