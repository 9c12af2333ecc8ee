import { assertTransition, type RequestContext, SELF_DEACTIVATION_REASON, UserChanges } from "@gatehouse/domain";
import { type CloseOwnAccountDeps, closeOwnAccount } from "./own-account.js";

export type DeactivateAccountDeps = CloseOwnAccountDeps;

/**
 * POST /users/me/deactivate: the owner, proving the password, moves the account to
 * `deactivated` (reason: self) through the state machine and every session ends. Only such
 * an account may come back through POST /auth/reactivate; an administrator's suspension is
 * the other status, `suspended`.
 */
export function makeDeactivateAccount(deps: DeactivateAccountDeps) {
  return (input: { userId: string; password: string }, ctx: RequestContext) =>
    closeOwnAccount(deps, input, ctx, {
      action: "user.deactivate",
      async apply(tx, locked, now) {
        assertTransition(locked.status, "deactivated");
        await tx.users.update(locked.id, UserChanges.status("deactivated", SELF_DEACTIVATION_REASON, now), now);
        return { from: locked.status };
      },
    });
}

export type DeactivateAccount = ReturnType<typeof makeDeactivateAccount>;
