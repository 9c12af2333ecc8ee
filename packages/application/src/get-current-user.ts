import { DomainError, sessionBlockedError, type UserRepository, type UserWithRoles } from "@gatehouse/domain";

export interface GetCurrentUserDeps {
  readonly users: Pick<UserRepository, "findWithRoles">;
}

/** The signed-in user's profile with roles and permissions, read fresh from the store. */
export function makeGetCurrentUser(deps: GetCurrentUserDeps) {
  return async function getCurrentUser(userId: string): Promise<UserWithRoles> {
    const account = await deps.users.findWithRoles(userId);
    if (account === undefined) throw new DomainError("UNAUTHORIZED", "Account no longer exists");
    const blocked = sessionBlockedError(account.user.status);
    if (blocked) throw blocked;
    return account;
  };
}

export type GetCurrentUser = ReturnType<typeof makeGetCurrentUser>;
