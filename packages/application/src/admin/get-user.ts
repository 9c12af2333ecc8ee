import { DomainError, type UserRepository, type UserWithRoles } from "@gatehouse/domain";

export interface GetUserDeps {
  readonly users: Pick<UserRepository, "find">;
}

/** One user for an administrator, soft-deleted ones included (README, Admin API). */
export function makeGetUser(deps: GetUserDeps) {
  return async function getUser(userId: string): Promise<UserWithRoles> {
    const account = await deps.users.find(userId, { includeDeleted: true });
    if (account === undefined) throw new DomainError("USER_NOT_FOUND", "User not found");
    return account;
  };
}

export type GetUser = ReturnType<typeof makeGetUser>;
