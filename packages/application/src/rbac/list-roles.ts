import type { Permission, RoleDetails, RoleRepository } from "@gatehouse/domain";

export interface ListRolesDeps {
  readonly roles: Pick<RoleRepository, "list" | "listPermissions">;
}

/** Every role with its permissions and live-holder count. */
export function makeListRoles(deps: ListRolesDeps) {
  return function listRoles(): Promise<RoleDetails[]> {
    return deps.roles.list();
  };
}

/** Every permission. */
export function makeListPermissions(deps: ListRolesDeps) {
  return function listPermissions(): Promise<Permission[]> {
    return deps.roles.listPermissions();
  };
}

export type ListRoles = ReturnType<typeof makeListRoles>;
export type ListPermissions = ReturnType<typeof makeListPermissions>;
