import type { UserRoles } from "@gatehouse/application";
import type { Permission, RoleDetails } from "@gatehouse/domain";

export function roleResponse(role: RoleDetails) {
  return {
    id: role.id,
    name: role.name,
    description: role.description,
    is_system: role.isSystem,
    permissions: role.permissions.map(({ id, name }) => ({ id, name })),
    user_count: role.userCount,
    created_at: role.createdAt.toISOString(),
    updated_at: role.updatedAt.toISOString(),
  };
}

export function permissionResponse(permission: Permission) {
  return {
    id: permission.id,
    name: permission.name,
    description: permission.description,
    created_at: permission.createdAt.toISOString(),
    updated_at: permission.updatedAt.toISOString(),
  };
}

export function userRolesResponse(result: UserRoles) {
  return {
    user_id: result.userId,
    roles: result.roles.map((role) => ({ id: role.id, name: role.name, permissions: [...role.permissions] })),
  };
}
