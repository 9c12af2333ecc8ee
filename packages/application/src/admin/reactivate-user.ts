import type { RequestContext } from "@gatehouse/domain";
import { type ChangeAccountStatusDeps, changeAccountStatus } from "./change-account-status.js";
import type { AdminActor } from "./user-administration.js";

/** `suspended` or `deactivated` → `active`, clearing the suspension reason. */
export function makeReactivateUser(deps: ChangeAccountStatusDeps) {
  return (actor: AdminActor, userId: string, ctx: RequestContext) =>
    changeAccountStatus(
      deps,
      { action: "user.reactivate", from: ["suspended", "deactivated"], to: "active", endsSessions: false },
      actor,
      userId,
      ctx,
    );
}

export type ReactivateUser = ReturnType<typeof makeReactivateUser>;
