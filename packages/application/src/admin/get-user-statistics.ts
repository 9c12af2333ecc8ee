import type { Clock, UserRepository, UserStatistics } from "@gatehouse/domain";

export interface GetUserStatisticsDeps {
  readonly users: Pick<UserRepository, "statistics">;
  readonly clock: Clock;
}

/** The admin dashboard's counts (README, Admin API): by role, by status, active/inactive, deleted, registrations. */
export function makeGetUserStatistics(deps: GetUserStatisticsDeps) {
  return (): Promise<UserStatistics> => deps.users.statistics(deps.clock.now());
}

export type GetUserStatistics = ReturnType<typeof makeGetUserStatistics>;
