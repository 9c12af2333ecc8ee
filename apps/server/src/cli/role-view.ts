import type { RoleDetails } from "@gatehouse/domain";

export function roleView(role: RoleDetails) {
  return {
    id: role.id,
    name: role.name,
    description: role.description,
    is_system: role.isSystem,
    permissions: role.permissions.map((permission) => permission.name),
    user_count: role.userCount,
  };
}

export const roleLine = (role: ReturnType<typeof roleView>) =>
  `role ${role.name} (${role.id}): ${role.permissions.length > 0 ? role.permissions.join(", ") : "no permissions"}`;
