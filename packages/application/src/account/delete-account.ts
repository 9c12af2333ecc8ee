import { type RequestContext, UserChanges } from "@gatehouse/domain";
import { type CloseOwnAccountDeps, closeOwnAccount } from "./own-account.js";

export type DeleteAccountDeps = CloseOwnAccountDeps;

/**
 * DELETE /users/me: the owner, proving the password, soft-deletes the account and every
 * session ends. An administrator can restore it until the worker purges it
 * (USER_PURGE_AFTER_DAYS); meanwhile its email and username are free for others.
 */
export function makeDeleteAccount(deps: DeleteAccountDeps) {
  return (input: { userId: string; password: string }, ctx: RequestContext) =>
    closeOwnAccount(deps, input, ctx, {
      action: "user.delete",
      async apply(tx, locked, now) {
        await tx.users.update(locked.id, UserChanges.softDelete(locked.id, now), now, { deleted: false });
        return {};
      },
    });
}

export type DeleteAccount = ReturnType<typeof makeDeleteAccount>;
