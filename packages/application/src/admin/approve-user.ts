import type { RequestContext } from "@gatehouse/domain";
import { statusChange } from "./status-change.js";
import type { AdminActor } from "./user-administration.js";
import { type AdminChangeDeps, runAdminChange } from "./user-change.js";

const APPROVE = statusChange({ action: "user.approve", from: ["pending_approval"], to: "active", endsSessions: false });

/** Approval: `pending_approval` → `active`; any other state is INVALID_STATUS_TRANSITION. */
export function makeApproveUser(deps: AdminChangeDeps) {
  return (actor: AdminActor, userId: string, ctx: RequestContext) => runAdminChange(deps, APPROVE, actor, userId, ctx);
}

export type ApproveUser = ReturnType<typeof makeApproveUser>;
