import {
  codesEndedBy,
  DomainError,
  type NewUser,
  type RoleGrant,
  type User,
  type UserExpectation,
  type UserRepository,
  type UserWithRoles,
} from "@gatehouse/domain";
import { type FakeStore, type StoredUser, unsupported } from "./fake-store.js";

const lower = (value: string) => value.toLowerCase();

export const liveUsers = (store: FakeStore) => store.state.users.filter((stored) => stored.user.deletedAt === null);

/** The roles of `names`, in that order, with their permission names, as the repositories report them. */
export function grantsNamed(store: FakeStore, names: readonly string[]): RoleGrant[] {
  return names.flatMap((name) => {
    const role = store.state.roles.find((candidate) => candidate.name === name);
    if (role === undefined) return [];
    const permissions = store.state.permissions.filter((permission) => role.permissionIds.includes(permission.id));
    return [{ id: role.id, name: role.name, permissions: permissions.map((permission) => permission.name).sort() }];
  });
}

function withRoles(store: FakeStore, stored: StoredUser): UserWithRoles {
  return { user: stored.user, roles: grantsNamed(store, stored.roleNames) };
}

/** Refuses an email or username another live user holds, like the partial unique indexes. */
function assertUnique(store: FakeStore, user: Pick<User, "id" | "email" | "username">): void {
  const others = liveUsers(store).filter((other) => other.user.id !== user.id);
  if (others.some((other) => lower(other.user.email) === lower(user.email))) {
    throw new DomainError("DUPLICATE_EMAIL", "Email is already registered");
  }
  if (others.some((other) => lower(other.user.username) === lower(user.username))) {
    throw new DomainError("DUPLICATE_USERNAME", "Username is already taken");
  }
}

const matches = (user: User, expect: UserExpectation | undefined) =>
  (expect?.deleted === undefined || expect.deleted === (user.deletedAt !== null)) &&
  (expect?.status === undefined || user.status === expect.status);

/** Changes a stored user in place (no checks): the writer below and the test helpers share it. */
export function patchUser(store: FakeStore, id: string, patch: Partial<User>): User {
  const index = store.state.users.findIndex((stored) => stored.user.id === id);
  const stored = store.state.users[index];
  if (stored === undefined) throw new Error(`no user ${id}`);
  const user: User = { ...stored.user, ...patch };
  store.state.users[index] = { ...stored, user };
  return user;
}

/** A new row as the database fills it: `id`, the timestamps at `now`, the nullable columns null. */
export function newStoredUser(id: string, input: NewUser, now: Date): User {
  return {
    ...input,
    organization: input.organization ?? null,
    department: input.department ?? null,
    id,
    statusReason: null,
    statusChangedAt: now,
    passwordChangedAt: now,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
    deletedBy: null,
    purgedAt: null,
    keycloakId: null,
    keycloakSyncStatus: input.keycloakSyncStatus ?? null,
  };
}

/** The fake `UserRepository`; one unit of work runs at a time here, so reading is locking. */
export function makeFakeUsers(store: FakeStore): UserRepository {
  return {
    async create(input: NewUser, roleNames) {
      store.maybeFail("users.create");
      for (const name of roleNames) {
        if (!store.state.roles.some((role) => role.name === name)) throw new Error(`unknown role ${name}`);
      }
      const user = newStoredUser(store.newId("user"), input, store.clock.now());
      assertUnique(store, user);
      store.state.users.push({ user, roleNames: [...roleNames], txId: store.currentTx });
      return user;
    },
    async find(id, options = {}) {
      const stored = (options.includeDeleted ? store.state.users : liveUsers(store)).find((c) => c.user.id === id);
      return stored && withRoles(store, stored);
    },
    findByEmail: async (email) => liveUsers(store).find((stored) => lower(stored.user.email) === lower(email))?.user,
    findByKeycloakId: async (keycloakId) =>
      store.state.users.find((stored) => stored.user.keycloakId === keycloakId)?.user,
    keycloakManaged: async (afterId, limit) =>
      store.state.users
        .map((stored) => stored.user)
        .filter((user) => user.keycloakSyncStatus !== null && (afterId === null || user.id > afterId))
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
        .slice(0, limit),
    usernameTaken: async (username) =>
      liveUsers(store).some((stored) => lower(stored.user.username) === lower(username)),
    async update(id, changes, at, expect) {
      store.maybeFail("users.update");
      const stored = store.state.users.find((candidate) => candidate.user.id === id);
      if (stored === undefined || !matches(stored.user, expect)) return undefined;
      const user = { ...stored.user, ...changes, updatedAt: at };
      if (user.deletedAt === null) assertUnique(store, user);
      const ended = codesEndedBy(changes);
      store.state.codes = store.state.codes.map((code) =>
        code.userId === id && ended.includes(code.purpose) && code.usedAt === null && code.revokedAt === null
          ? { ...code, revokedAt: at }
          : code,
      );
      return patchUser(store, id, user);
    },
    async upgradePasswordHash(id, from, to, at) {
      store.maybeFail("users.update");
      const stored = store.state.users.find((candidate) => candidate.user.id === id);
      if (stored === undefined || stored.user.deletedAt !== null || stored.user.passwordHash !== from) return false;
      patchUser(store, id, { ...stored.user, passwordHash: to, updatedAt: at });
      return true;
    },
    rolesNamed: async (names) => grantsNamed(store, names),
    async deleteExpiredRegistrations(holding, createdBefore, now) {
      const liveCode = (userId: string) =>
        store.state.codes.some(
          (code) => code.userId === userId && code.purpose === "verify_email" && code.expiresAt > now,
        );
      const doomed = liveUsers(store)
        .map((stored) => stored.user)
        .filter(
          (user) =>
            user.status === "pending_verification" &&
            user.createdAt < createdBefore &&
            (lower(user.email) === lower(holding.email) || lower(user.username) === lower(holding.username)) &&
            !liveCode(user.id),
        )
        .map((user) => user.id);
      store.state.users = store.state.users.filter(({ user }) => !doomed.includes(user.id));
      store.state.codes = store.state.codes.filter((code) => !doomed.includes(code.userId));
      return doomed;
    },
    deletePermanently: unsupported,
    list: unsupported,
    statistics: unsupported,
  };
}
