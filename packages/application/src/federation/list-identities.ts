import type { FederatedIdentity, FederationUnitOfWork } from "@gatehouse/domain";

export interface ListIdentitiesDeps {
  readonly federationUow: FederationUnitOfWork;
}

/** The provider accounts linked to a user, oldest first (GET /users/me/identities, the admin user view). */
export function makeListIdentities(deps: ListIdentitiesDeps) {
  return function listIdentities(userId: string): Promise<FederatedIdentity[]> {
    return deps.federationUow.run((tx) => tx.identities.listForUser(userId));
  };
}

export type ListIdentities = ReturnType<typeof makeListIdentities>;
