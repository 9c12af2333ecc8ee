import type { RbacUseCases } from "@gatehouse/api";
import {
  makeAccessInvalidation,
  makeAssignUserRoles,
  makeCreatePermission,
  makeCreateRole,
  makeDeleteRole,
  makeGrantRolePermissions,
  makeListPermissions,
  makeListRoles,
  makeRevokeRolePermission,
  makeUnassignUserRole,
  makeUpdateRole,
} from "@gatehouse/application";
import type { Wiring } from "./wiring.js";

/** Roles, permissions and role assignments; every change drops the access it affects from the cache. */
export function wireRbac(w: Wiring): RbacUseCases {
  const { roles } = w.repositories;
  const change = { uow: w.uow, clock: w.clock, invalidate: makeAccessInvalidation({ roles, cache: w.cache }) };
  return {
    listRoles: makeListRoles({ roles }),
    createRole: makeCreateRole(change),
    updateRole: makeUpdateRole(change),
    deleteRole: makeDeleteRole(change),
    grantRolePermissions: makeGrantRolePermissions(change),
    revokeRolePermission: makeRevokeRolePermission(change),
    listPermissions: makeListPermissions({ roles }),
    createPermission: makeCreatePermission(change),
    assignUserRoles: makeAssignUserRoles(change),
    unassignUserRole: makeUnassignUserRole(change),
  };
}
