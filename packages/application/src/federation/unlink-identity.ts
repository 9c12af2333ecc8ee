import {
  type Clock,
  DomainError,
  type FederatedIdentity,
  type FederationRepositories,
  type FederationUnitOfWork,
  type RequestContext,
  UNUSABLE_PASSWORD_HASH,
} from "@gatehouse/domain";
import { audit } from "../shared/audit-entry-for.js";

export interface UnlinkIdentityDeps {
  readonly federationUow: FederationUnitOfWork;
  readonly clock: Clock;
}

/**
 * Removes one identity of `userId`, in the caller's transaction, which must hold the user's row
 * lock: two concurrent unlinks of a passwordless account's last two identities then run one
 * after the other, and the second sees that it would remove the last way to sign in.
 * @throws DomainError IDENTITY_NOT_FOUND when the user has no identity with this id (another
 *   user's id answers the same), LAST_SIGN_IN_METHOD when the account has no password and this
 *   is its last identity.
 */
export async function unlinkIdentityOf(
  tx: FederationRepositories,
  deps: { readonly clock: Clock },
  ctx: RequestContext,
  unlink: { userId: string; passwordHash: string; identityId: string; actorId: string | null; by: "self" | "admin" },
): Promise<FederatedIdentity> {
  const identities = await tx.identities.listForUser(unlink.userId);
  const identity = identities.find((candidate) => candidate.id === unlink.identityId);
  if (identity === undefined) throw new DomainError("IDENTITY_NOT_FOUND");
  if (unlink.passwordHash === UNUSABLE_PASSWORD_HASH && identities.length === 1) {
    throw new DomainError("LAST_SIGN_IN_METHOD");
  }
  if (!(await tx.identities.unlink(identity.id, unlink.userId))) throw new DomainError("IDENTITY_NOT_FOUND");
  await audit(tx, deps, ctx, {
    action: "auth.identity_unlink",
    userId: unlink.actorId,
    resourceId: unlink.userId,
    details: { provider: identity.provider, identity_id: identity.id, by: unlink.by },
  });
  return identity;
}

/** The signed-in user removes one of their own identities (DELETE /users/me/identities/{id}). */
export function makeUnlinkIdentity(deps: UnlinkIdentityDeps) {
  return function unlinkIdentity(userId: string, identityId: string, ctx: RequestContext): Promise<FederatedIdentity> {
    return deps.federationUow.run(async (tx) => {
      const owner = await tx.users.find(userId, { lock: true });
      if (owner === undefined) throw new DomainError("IDENTITY_NOT_FOUND");
      return unlinkIdentityOf(tx, deps, ctx, {
        userId,
        passwordHash: owner.user.passwordHash,
        identityId,
        actorId: userId,
        by: "self",
      });
    });
  };
}

export type UnlinkIdentity = ReturnType<typeof makeUnlinkIdentity>;
