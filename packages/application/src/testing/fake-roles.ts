import {
  DomainError,
  type Permission,
  Permissions,
  type RoleGrant,
  type RoleRepository,
  type RoleWithPermissions,
  SystemRoles,
} from "@gatehouse/domain";
import { type FakeStore, type StoredRole, unsupported } from "./fake-store.js";

/** Roles as seeded by the first migration (all three are system roles). */
export const SEEDED_ROLES: readonly RoleGrant[] = [
  { id: "role-super-admin", name: SystemRoles.superAdmin, permissions: [...Permissions] },
  {
    id: "role-admin",
    name: SystemRoles.admin,
    permissions: ["users:read", "users:write", "users:delete", "users:import", "roles:read", "audit:read"],
  },
  { id: "role-user", name: SystemRoles.user, permissions: [] },
];

/** The roles and permissions the first migration seeds, with ids the tests can name. */
export function seededCatalogue(now: Date): { roles: StoredRole[]; permissions: Permission[] } {
  const permissions = Permissions.map((name) => ({
    id: `perm-${name.replace(":", "-")}`,
    name,
    description: null,
    createdAt: now,
    updatedAt: now,
  }));
  const roles = SEEDED_ROLES.map((role) => ({
    id: role.id,
    name: role.name,
    description: null,
    isSystem: true,
    createdAt: now,
    updatedAt: now,
    permissionIds: permissions.filter((p) => role.permissions.includes(p.name)).map((p) => p.id),
  }));
  return { roles, permissions };
}

/** The fake `RoleRepository`: what the RBAC use cases' unit tests need. */
export function makeFakeRoles(store: FakeStore): RoleRepository {
  const stored = (id: string) => store.state.roles.find((role) => role.id === id);
  const detailed = (role: StoredRole): RoleWithPermissions => {
    const { permissionIds, ...rest } = role;
    const permissions = store.state.permissions
      .filter((permission) => permissionIds.includes(permission.id))
      .map(({ id, name }) => ({ id, name }))
      .sort((a, b) => a.name.localeCompare(b.name));
    return { ...rest, permissions };
  };
  const find = async (id: string) => {
    const role = stored(id);
    return role && detailed(role);
  };
  const replace = (role: StoredRole) => {
    store.state.roles = store.state.roles.map((candidate) => (candidate.id === role.id ? role : candidate));
  };
  const holders = (roleName: string) => store.state.users.filter((user) => user.roleNames.includes(roleName));
  const withRoles = (userId: string, change: (names: readonly string[]) => string[]) => {
    store.state.users = store.state.users.map((user) =>
      user.user.id === userId ? { ...user, roleNames: change(user.roleNames) } : user,
    );
  };
  return {
    findById: find,
    // Units of work run one at a time here, so a lock has nothing to exclude.
    lock: find,
    findForAssignment: async (by) =>
      store.state.roles
        .filter((role) => ("ids" in by ? by.ids.includes(role.id) : by.names.includes(role.name)))
        .map(detailed),
    async create(input) {
      if (store.state.roles.some((role) => role.name === input.name)) {
        throw new DomainError("DUPLICATE_ROLE", "Role name is already taken");
      }
      const now = store.clock.now();
      const role: StoredRole = {
        id: store.newId("role"),
        ...input,
        isSystem: false,
        createdAt: now,
        updatedAt: now,
        permissionIds: [],
      };
      store.state.roles.push(role);
      const { permissionIds: _, ...created } = role;
      return created;
    },
    async delete(id) {
      const role = stored(id);
      if (role === undefined) return;
      for (const holder of holders(role.name))
        withRoles(holder.user.id, (names) => names.filter((n) => n !== role.name));
      store.state.roles = store.state.roles.filter((candidate) => candidate.id !== id);
    },
    async countHolders(roleId) {
      const role = stored(roleId);
      return role === undefined ? 0 : holders(role.name).filter((holder) => holder.user.deletedAt === null).length;
    },
    async holders(roleId, afterUserId, limit) {
      const role = stored(roleId);
      if (role === undefined) return [];
      return holders(role.name)
        .map((holder) => holder.user.id)
        .sort()
        .filter((id) => afterUserId === null || id > afterUserId)
        .slice(0, limit);
    },
    async grantPermissions(roleId, permissionIds) {
      const role = stored(roleId);
      if (role === undefined) throw new Error(`no role ${roleId}`);
      const added = [...new Set(permissionIds)].filter((id) => !role.permissionIds.includes(id));
      replace({ ...role, permissionIds: [...role.permissionIds, ...added] });
      return added;
    },
    findPermissions: async (ids) => store.state.permissions.filter((permission) => ids.includes(permission.id)),
    async assign(userId, roleIds) {
      const user = store.state.users.find((candidate) => candidate.user.id === userId);
      if (user === undefined) throw new Error(`no user ${userId}`);
      const names = roleIds.map((id) => stored(id)?.name).filter((name) => name !== undefined);
      const added = names.filter((name) => !user.roleNames.includes(name));
      withRoles(userId, (held) => [...held, ...added]);
      return store.state.roles.filter((role) => added.includes(role.name)).map((role) => role.id);
    },
    async unassign(userId, roleId) {
      const role = stored(roleId);
      const user = store.state.users.find((candidate) => candidate.user.id === userId);
      if (role === undefined || user === undefined || !user.roleNames.includes(role.name)) return false;
      withRoles(userId, (held) => held.filter((name) => name !== role.name));
      return true;
    },
    list: unsupported,
    lockByName: unsupported,
    update: unsupported,
    revokePermission: unsupported,
    listPermissions: unsupported,
    createPermission: unsupported,
  };
}
