import type { Page, UserListQuery, UserRepository, UserSummary } from "@gatehouse/domain";

export interface ListUsersDeps {
  readonly users: Pick<UserRepository, "list">;
}

/** The admin user list (README, Admin API); the HTTP layer has validated and bounded the query. */
export function makeListUsers(deps: ListUsersDeps) {
  return (query: UserListQuery): Promise<Page<UserSummary>> => deps.users.list(query);
}

export type ListUsers = ReturnType<typeof makeListUsers>;
