import { type HostInfo, hasPermission, type SystemInfo } from "@gatehouse/domain";
import type { LoadAccess } from "../auth/load-access.js";

/** The permission that shows the host's figures in health responses. */
export const SYSTEM_READ = "system:read";

export interface DescribeHostDeps {
  readonly loadAccess: LoadAccess;
  readonly hostInfo: HostInfo;
}

/**
 * The host's figures for a caller holding `system:read`, otherwise nothing. Not holding it is
 * not a refusal (the health answer is still given, without these figures), so nothing is audited.
 */
export function makeDescribeHost(deps: DescribeHostDeps) {
  return async function describeHost(userId: string | null): Promise<SystemInfo | undefined> {
    if (userId === null) return undefined;
    const access = await deps.loadAccess(userId);
    if (access === undefined || !hasPermission(access, SYSTEM_READ)) return undefined;
    return deps.hostInfo.sample();
  };
}

export type DescribeHost = ReturnType<typeof makeDescribeHost>;
