import type { RequestContext } from "@gatehouse/domain";
import { statusChange } from "./status-change.js";
import type { AdminActor } from "./user-administration.js";
import { type AdminChangeDeps, runAdminChange } from "./user-change.js";

const REACTIVATE = statusChange({
  action: "user.reactivate",
  from: ["suspended", "deactivated"],
  to: "active",
  endsSessions: false,
});

/** `suspended` or `deactivated` → `active`, clearing the suspension reason. */
export function makeReactivateUser(deps: AdminChangeDeps) {
  return (actor: AdminActor, userId: string, ctx: RequestContext) =>
    runAdminChange(deps, REACTIVATE, actor, userId, ctx);
}

export type ReactivateUser = ReturnType<typeof makeReactivateUser>;
