import type { FederatedIdentity, RequestContext } from "@gatehouse/domain";
import { type UnlinkIdentityDeps, unlinkIdentityOf } from "../federation/unlink-identity.js";
import { type AdminActor, assertMayManage, lockTarget } from "./user-administration.js";

/**
 * An administrator removes a user's identity (DELETE /admin/users/{id}/identities/{identityId}),
 * under the same guard as every other change to a user (a super_admin only by a super_admin,
 * nobody holding more than the actor) and the same last-sign-in-method rule as the owner.
 */
export function makeUnlinkUserIdentity(deps: UnlinkIdentityDeps) {
  return function unlinkUserIdentity(
    actor: AdminActor,
    userId: string,
    identityId: string,
    ctx: RequestContext,
  ): Promise<FederatedIdentity> {
    return deps.federationUow.run(async (tx) => {
      const target = await lockTarget(tx, userId);
      assertMayManage(actor, target);
      return unlinkIdentityOf(tx, deps, ctx, {
        userId,
        passwordHash: target.user.passwordHash,
        identityId,
        actorId: actor.id,
        by: "admin",
      });
    });
  };
}

export type UnlinkUserIdentity = ReturnType<typeof makeUnlinkUserIdentity>;
