import {
  type AccountStatus,
  AccountStatuses,
  type AuditEntry,
  type AuditLog,
  type AuditLogQuery,
  type AuditRecord,
  type Clock,
  DomainError,
  type MailOutbox,
  type MailThrottle,
  type NewRefreshToken,
  type NewUser,
  type OneTimeCode,
  type OneTimeCodeRepository,
  type OutgoingMail,
  type Permission,
  Permissions,
  type RefreshToken,
  type RefreshTokenRepository,
  type RevocationReason,
  type Role,
  type RoleGrant,
  type RoleRepository,
  type RoleWithPermissions,
  type RotatedTokenInput,
  SystemRoles,
  type TransactionalRepositories,
  type UnitOfWork,
  type User,
  type UserListQuery,
  type UserPatch,
  type UserRepository,
  type UserSummary,
  type UserWithRoles,
} from "@gatehouse/domain";

/** An audit entry as the fake stores it: with the unit of work it was written in (null: none). */
export interface StoredAuditEntry {
  readonly entry: AuditEntry;
  readonly txId: number | null;
}

/** A user as the fake stores it: with its role names and the unit of work that created it. */
export interface StoredUser {
  readonly user: User;
  readonly roleNames: readonly string[];
  readonly txId: number | null;
}

/** A queued mail as the fake stores it: with the unit of work it was queued in (null: none). */
export interface StoredMail {
  readonly mail: OutgoingMail;
  readonly txId: number | null;
}

/** A role as the fake stores it: with the ids of the permissions it grants. */
interface StoredRole extends Role {
  readonly permissionIds: readonly string[];
}

interface State {
  users: StoredUser[];
  roles: StoredRole[];
  permissions: Permission[];
  refreshTokens: RefreshToken[];
  audit: StoredAuditEntry[];
  outbox: StoredMail[];
  codes: OneTimeCode[];
  throttle: Array<{ key: string; at: Date }>;
  nextId: number;
}

/** Roles as seeded by the first migration (all three are system roles). */
export const SEEDED_ROLES: readonly RoleGrant[] = [
  {
    id: "role-super-admin",
    name: SystemRoles.superAdmin,
    permissions: [...Permissions],
  },
  {
    id: "role-admin",
    name: SystemRoles.admin,
    permissions: ["users:read", "users:write", "users:delete", "roles:read", "audit:read"],
  },
  { id: "role-user", name: SystemRoles.user, permissions: [] },
];

type FailurePoint =
  | "users.create"
  | "users.update"
  | "refreshTokens.insert"
  | "refreshTokens.rotate"
  | "refreshTokens.revokeFamily"
  | "auditLog.append"
  | "roles.assign"
  | "outbox.enqueue"
  | "oneTimeCodes.issue";

/**
 * An in-memory store behind every repository port, for unit tests only. Writes go straight
 * to the state; `uow.run` copies the state when it starts and restores the copy when the work
 * throws, so a failed unit of work leaves no trace, like a rolled-back transaction.
 */
export class InMemoryDatabase {
  private state: State;
  private readonly failures = new Map<FailurePoint, Error>();
  private currentTx: number | null = null;
  private queue: Promise<void> = Promise.resolve();
  private txCounter = 0;

  /** Every unit of work run so far, with how it ended. */
  readonly transactions: Array<{ id: number; outcome: "running" | "committed" | "rolled_back" }> = [];
  /** Families passed to `lockFamilyOf` (by the hash looked up) in call order. */
  readonly lockCalls: string[] = [];

  readonly users: UserRepository;
  readonly refreshTokens: RefreshTokenRepository;
  readonly roles: RoleRepository;
  readonly auditLog: AuditLog;
  readonly outbox: MailOutbox;
  readonly oneTimeCodes: OneTimeCodeRepository;
  readonly mailThrottle: MailThrottle;
  readonly uow: UnitOfWork;

  constructor(private readonly clock: Clock) {
    this.state = {
      users: [],
      ...seededCatalogue(clock.now()),
      refreshTokens: [],
      audit: [],
      outbox: [],
      codes: [],
      throttle: [],
      nextId: 1,
    };
    this.users = this.makeUsers();
    this.roles = this.makeRoles();
    this.refreshTokens = this.makeRefreshTokens();
    this.auditLog = this.makeAuditLog();
    this.outbox = this.makeOutbox();
    this.oneTimeCodes = this.makeOneTimeCodes();
    this.mailThrottle = this.makeMailThrottle();
    this.uow = this.makeUnitOfWork();
  }

  /** Makes the next call to `point` throw `error` (once). */
  failNext(point: FailurePoint, error: Error = new Error(`injected failure in ${point}`)): void {
    this.failures.set(point, error);
  }

  // ---- test helpers (bypass the ports) -------------------------------------------------------

  /** Inserts a user directly, outside any unit of work. */
  seedUser(overrides: Partial<User> = {}, roleNames: readonly string[] = [SystemRoles.user]): User {
    const now = this.clock.now();
    const id = overrides.id ?? this.newId("user");
    const user: User = {
      id,
      username: `user_${id}`,
      email: `${id}@example.com`,
      passwordHash: "hashed:Passw0rd!",
      fullName: null,
      phoneNumber: null,
      organization: null,
      department: null,
      status: "active",
      statusReason: null,
      statusChangedAt: now,
      emailVerifiedAt: null,
      passwordChangedAt: now,
      createdAt: now,
      updatedAt: now,
      deletedAt: null,
      deletedBy: null,
      ...overrides,
    };
    this.state.users.push({ user, roleNames: [...roleNames], txId: null });
    return user;
  }

  /** Changes a stored user directly, outside any unit of work. */
  updateUser(id: string, changes: Partial<User>): User {
    const index = this.state.users.findIndex((stored) => stored.user.id === id);
    const stored = this.state.users[index];
    if (stored === undefined) throw new Error(`no user ${id}`);
    const user = { ...stored.user, ...changes };
    this.state.users[index] = { ...stored, user };
    return user;
  }

  /** Replaces a stored user's roles directly, outside any unit of work. */
  setRoles(id: string, roleNames: readonly string[]): void {
    const index = this.state.users.findIndex((stored) => stored.user.id === id);
    const stored = this.state.users[index];
    if (stored === undefined) throw new Error(`no user ${id}`);
    this.state.users[index] = { ...stored, roleNames: [...roleNames] };
  }

  /** Inserts a refresh token directly, outside any unit of work. */
  seedRefreshToken(overrides: Partial<RefreshToken> & Pick<RefreshToken, "userId" | "tokenHash">): RefreshToken {
    const now = this.clock.now();
    const id = overrides.id ?? this.newId("rt");
    const token: RefreshToken = {
      id,
      familyId: id,
      parentId: null,
      expiresAt: new Date(now.getTime() + 86_400_000),
      createdAt: now,
      lastUsedAt: null,
      revokedAt: null,
      revokedReason: null,
      replacedBy: null,
      userAgent: null,
      ipAddress: null,
      ...overrides,
    };
    this.state.refreshTokens.push(token);
    return token;
  }

  allUsers(): User[] {
    return this.state.users.map((stored) => stored.user);
  }

  storedUsers(): StoredUser[] {
    return [...this.state.users];
  }

  allRefreshTokens(): RefreshToken[] {
    return [...this.state.refreshTokens];
  }

  tokenByHash(hash: string): RefreshToken | undefined {
    return this.state.refreshTokens.find((token) => token.tokenHash === hash);
  }

  tokensOfFamily(familyId: string): RefreshToken[] {
    return this.state.refreshTokens.filter((token) => token.familyId === familyId);
  }

  activeTokensOfFamily(familyId: string): RefreshToken[] {
    return this.tokensOfFamily(familyId).filter((token) => token.revokedAt === null);
  }

  /** Mail queued so far, oldest first. */
  queuedMail(): OutgoingMail[] {
    return this.state.outbox.map((stored) => stored.mail);
  }

  /** Every one-time code stored so far, oldest first. */
  allCodes(): OneTimeCode[] {
    return [...this.state.codes];
  }

  /** Changes a stored code directly (e.g. to backdate its expiry). */
  updateCode(id: string, changes: Partial<OneTimeCode>): void {
    this.state.codes = this.state.codes.map((code) => (code.id === id ? { ...code, ...changes } : code));
  }

  auditEntries(): AuditEntry[] {
    return this.state.audit.map((stored) => stored.entry);
  }

  storedAuditEntries(): StoredAuditEntry[] {
    return [...this.state.audit];
  }

  // ---- internals ------------------------------------------------------------------------------

  private newId(prefix: string): string {
    const id = `${prefix}-${this.state.nextId}`;
    this.state.nextId += 1;
    return id;
  }

  private maybeFail(point: FailurePoint): void {
    const error = this.failures.get(point);
    if (error !== undefined) {
      this.failures.delete(point);
      throw error;
    }
  }

  private live(): StoredUser[] {
    return this.state.users.filter((stored) => stored.user.deletedAt === null);
  }

  private withRoles(stored: StoredUser): UserWithRoles {
    const roles = stored.roleNames.map((name) => {
      const role = this.state.roles.find((candidate) => candidate.name === name);
      if (role === undefined) throw new Error(`unknown role ${name}`);
      return this.grantOf(role);
    });
    return { user: stored.user, roles };
  }

  private grantOf(role: StoredRole): RoleGrant {
    return { id: role.id, name: role.name, permissions: this.roleWithPermissions(role).permissions.map((p) => p.name) };
  }

  private roleWithPermissions(role: StoredRole): RoleWithPermissions {
    const { permissionIds, ...rest } = role;
    const permissions = this.state.permissions
      .filter((permission) => permissionIds.includes(permission.id))
      .map(({ id, name }) => ({ id, name }))
      .sort((a, b) => a.name.localeCompare(b.name));
    return { ...rest, permissions };
  }

  private storedRole(id: string): StoredRole | undefined {
    return this.state.roles.find((role) => role.id === id);
  }

  private replaceRole(role: StoredRole): void {
    this.state.roles = this.state.roles.map((candidate) => (candidate.id === role.id ? role : candidate));
  }

  private holderNames(roleName: string): StoredUser[] {
    return this.state.users.filter((stored) => stored.roleNames.includes(roleName));
  }

  private withUserRoles(userId: string, change: (names: readonly string[]) => string[]): void {
    this.state.users = this.state.users.map((stored) =>
      stored.user.id === userId ? { ...stored, roleNames: change(stored.roleNames) } : stored,
    );
  }

  private makeRoles(): RoleRepository {
    const unique = (name: string, except?: string) => {
      if (this.state.roles.some((role) => role.name === name && role.id !== except)) {
        throw new DomainError("DUPLICATE_ROLE", "Role name is already taken");
      }
    };
    const find = async (id: string) => {
      const role = this.storedRole(id);
      return role && this.roleWithPermissions(role);
    };
    const countHolders = async (roleId: string) => {
      const role = this.storedRole(roleId);
      return role === undefined ? 0 : this.holderNames(role.name).filter((s) => s.user.deletedAt === null).length;
    };
    return {
      list: async () =>
        Promise.all(
          [...this.state.roles]
            .sort((a, b) => a.name.localeCompare(b.name))
            .map(async (role) => ({ ...this.roleWithPermissions(role), userCount: await countHolders(role.id) })),
        ),
      findById: find,
      // Units of work run one at a time here, so a lock has nothing to exclude.
      lock: find,
      lockByName: async (name) => {
        const role = this.state.roles.find((candidate) => candidate.name === name);
        return role && this.roleWithPermissions(role);
      },
      findForAssignment: async (by) =>
        this.state.roles
          .filter((role) => ("ids" in by ? by.ids.includes(role.id) : by.names.includes(role.name)))
          .map((role) => this.roleWithPermissions(role)),
      create: async (input) => {
        unique(input.name);
        const now = this.clock.now();
        const role: StoredRole = {
          id: this.newId("role"),
          ...input,
          isSystem: false,
          createdAt: now,
          updatedAt: now,
          permissionIds: [],
        };
        this.state.roles.push(role);
        const { permissionIds: _, ...created } = role;
        return created;
      },
      update: async (id, input) => {
        const role = this.storedRole(id);
        if (role === undefined) throw new DomainError("ROLE_NOT_FOUND", "Role not found");
        unique(input.name, id);
        const updated = { ...role, ...input, updatedAt: this.clock.now() };
        this.replaceRole(updated);
        for (const holder of this.holderNames(role.name)) {
          this.withUserRoles(holder.user.id, (names) => names.map((name) => (name === role.name ? input.name : name)));
        }
        const { permissionIds: _, ...result } = updated;
        return result;
      },
      delete: async (id) => {
        const role = this.storedRole(id);
        if (role === undefined) return;
        for (const holder of this.holderNames(role.name)) {
          this.withUserRoles(holder.user.id, (names) => names.filter((name) => name !== role.name));
        }
        this.state.roles = this.state.roles.filter((candidate) => candidate.id !== id);
      },
      countHolders,
      holders: async (roleId, afterUserId, limit) => {
        const role = this.storedRole(roleId);
        if (role === undefined) return [];
        return this.holderNames(role.name)
          .map((stored) => stored.user.id)
          .sort()
          .filter((id) => afterUserId === null || id > afterUserId)
          .slice(0, limit);
      },
      grantPermissions: async (roleId, permissionIds) => {
        const role = this.storedRole(roleId);
        if (role === undefined) throw new Error(`no role ${roleId}`);
        const added = [...new Set(permissionIds)].filter((id) => !role.permissionIds.includes(id));
        this.replaceRole({ ...role, permissionIds: [...role.permissionIds, ...added] });
        return added;
      },
      revokePermission: async (roleId, permissionId) => {
        const role = this.storedRole(roleId);
        if (role === undefined || !role.permissionIds.includes(permissionId)) return false;
        this.replaceRole({ ...role, permissionIds: role.permissionIds.filter((id) => id !== permissionId) });
        return true;
      },
      listPermissions: async () => [...this.state.permissions].sort((a, b) => a.name.localeCompare(b.name)),
      findPermissions: async (ids) => this.state.permissions.filter((permission) => ids.includes(permission.id)),
      createPermission: async (input) => {
        if (this.state.permissions.some((permission) => permission.name === input.name)) {
          throw new DomainError("DUPLICATE_PERMISSION", "Permission already exists");
        }
        const now = this.clock.now();
        const permission: Permission = { id: this.newId("perm"), ...input, createdAt: now, updatedAt: now };
        this.state.permissions.push(permission);
        return permission;
      },
      assign: async (userId, roleIds) => {
        this.maybeFail("roles.assign");
        const stored = this.state.users.find((candidate) => candidate.user.id === userId);
        if (stored === undefined) throw new Error(`no user ${userId}`);
        const names = roleIds.map((id) => this.storedRole(id)?.name).filter((name) => name !== undefined);
        const added = names.filter((name) => !stored.roleNames.includes(name));
        this.withUserRoles(userId, (held) => [...held, ...added]);
        return this.state.roles.filter((role) => added.includes(role.name)).map((role) => role.id);
      },
      unassign: async (userId, roleId) => {
        const role = this.storedRole(roleId);
        const stored = this.state.users.find((candidate) => candidate.user.id === userId);
        if (role === undefined || stored === undefined || !stored.roleNames.includes(role.name)) return false;
        this.withUserRoles(userId, (held) => held.filter((name) => name !== role.name));
        return true;
      },
    };
  }

  private makeUsers(): UserRepository {
    return {
      create: async (input: NewUser, roleNames: readonly string[]) => {
        this.maybeFail("users.create");
        const email = input.email.toLowerCase();
        const username = input.username.toLowerCase();
        if (this.live().some((stored) => stored.user.email.toLowerCase() === email)) {
          throw new DomainError("DUPLICATE_EMAIL", "Email is already registered");
        }
        if (this.live().some((stored) => stored.user.username.toLowerCase() === username)) {
          throw new DomainError("DUPLICATE_USERNAME", "Username is already taken");
        }
        for (const name of roleNames) {
          if (!this.state.roles.some((role) => role.name === name)) throw new Error(`unknown role ${name}`);
        }
        const now = this.clock.now();
        const user: User = {
          ...input,
          organization: input.organization ?? null,
          department: input.department ?? null,
          id: this.newId("user"),
          statusReason: null,
          statusChangedAt: now,
          passwordChangedAt: now,
          createdAt: now,
          updatedAt: now,
          deletedAt: null,
          deletedBy: null,
        };
        this.state.users.push({ user, roleNames: [...roleNames], txId: this.currentTx });
        return user;
      },
      markEmailVerified: async (id, status, at) => {
        const stored = this.live().find((candidate) => candidate.user.id === id);
        if (stored === undefined || stored.user.status !== "pending_verification") return undefined;
        return this.updateUser(id, { status, statusChangedAt: at, emailVerifiedAt: at, updatedAt: at });
      },
      setPassword: async (id, passwordHash, at) => {
        this.maybeFail("users.update");
        return this.live().some((stored) => stored.user.id === id)
          ? this.updateUser(id, { passwordHash, passwordChangedAt: at, updatedAt: at })
          : undefined;
      },
      updateProfile: async (id, changes, at) => {
        if (!this.live().some((stored) => stored.user.id === id)) return undefined;
        const username = changes.username?.toLowerCase();
        if (
          username !== undefined &&
          this.live().some((o) => o.user.id !== id && o.user.username.toLowerCase() === username)
        ) {
          throw new DomainError("DUPLICATE_USERNAME", "Username is already taken");
        }
        return this.updateUser(id, { ...changes, updatedAt: at });
      },
      changeEmail: async (id, email, at) => {
        if (!this.live().some((stored) => stored.user.id === id)) return undefined;
        if (this.live().some((o) => o.user.id !== id && o.user.email.toLowerCase() === email.toLowerCase())) {
          throw new DomainError("DUPLICATE_EMAIL", "Email is already registered");
        }
        return this.updateUser(id, { email, emailVerifiedAt: at, updatedAt: at });
      },
      deleteExpiredRegistrations: async (holding, createdBefore, now) => {
        const doomed = this.live().filter(
          ({ user }) =>
            user.status === "pending_verification" &&
            user.createdAt.getTime() < createdBefore.getTime() &&
            (user.email.toLowerCase() === holding.email.toLowerCase() ||
              user.username.toLowerCase() === holding.username.toLowerCase()) &&
            !this.state.codes.some(
              (code) =>
                code.userId === user.id && code.purpose === "verify_email" && code.expiresAt.getTime() > now.getTime(),
            ),
        );
        const ids = new Set(doomed.map(({ user }) => user.id));
        this.state.users = this.state.users.filter(({ user }) => !ids.has(user.id));
        this.state.codes = this.state.codes.filter((code) => !ids.has(code.userId));
        return [...ids];
      },
      findByEmail: async (email: string) =>
        this.live().find((stored) => stored.user.email.toLowerCase() === email.toLowerCase())?.user,
      findWithRoles: async (id: string) => {
        const stored = this.live().find((candidate) => candidate.user.id === id);
        return stored === undefined ? undefined : this.withRoles(stored);
      },
      findById: async (id: string) => this.anyWithRoles(id),
      // One unit of work runs at a time here, so reading is locking.
      lockById: async (id: string) => this.anyWithRoles(id),
      update: async (id: string, patch: UserPatch) => {
        this.maybeFail("users.update");
        return this.patchUser(id, patch);
      },
      deletePermanently: async (id: string) => {
        const before = this.state.users.length;
        this.state.users = this.state.users.filter((stored) => stored.user.id !== id);
        this.state.refreshTokens = this.state.refreshTokens.filter((token) => token.userId !== id);
        return this.state.users.length < before;
      },
      list: async (query: UserListQuery) => {
        const matching = this.state.users.filter((stored) => matchesListQuery(stored, query)).sort(listOrder(query));
        const start = (query.page - 1) * query.perPage;
        const items: UserSummary[] = matching
          .slice(start, start + query.perPage)
          .map((stored) => ({ user: stored.user, roleNames: [...stored.roleNames].sort() }));
        return { items, totalItems: matching.length };
      },
      statistics: async (now: Date) => this.statistics(now),
      rolesNamed: async (names: readonly string[]) =>
        this.state.roles.filter((role) => names.includes(role.name)).map((role) => this.grantOf(role)),
      lockLiveById: async (id: string) => this.live().find((stored) => stored.user.id === id)?.user,
      setStatus: async (id: string, status: AccountStatus, reason: string | null, at: Date) => {
        this.maybeFail("users.update");
        this.updateUser(id, { status, statusReason: reason, statusChangedAt: at, updatedAt: at });
      },
      softDelete: async (id: string, deletedBy: string, at: Date) => {
        this.maybeFail("users.update");
        this.updateUser(id, { deletedAt: at, deletedBy, updatedAt: at });
      },
    };
  }

  private anyWithRoles(id: string): UserWithRoles | undefined {
    const stored = this.state.users.find((candidate) => candidate.user.id === id);
    return stored === undefined ? undefined : this.withRoles(stored);
  }

  private patchUser(id: string, patch: UserPatch): User {
    const index = this.state.users.findIndex((stored) => stored.user.id === id);
    const stored = this.state.users[index];
    if (stored === undefined) throw new DomainError("USER_NOT_FOUND", "User not found");
    const user: User = { ...stored.user, ...patch, updatedAt: this.clock.now() };
    if (user.deletedAt === null) {
      const others = this.live().filter((candidate) => candidate.user.id !== id);
      if (others.some((other) => other.user.username.toLowerCase() === user.username.toLowerCase())) {
        throw new DomainError("DUPLICATE_USERNAME", "Username is already taken");
      }
      if (others.some((other) => other.user.email.toLowerCase() === user.email.toLowerCase())) {
        throw new DomainError("DUPLICATE_EMAIL", "Email is already registered");
      }
    }
    this.state.users[index] = { ...stored, user };
    return user;
  }

  private statistics(now: Date) {
    const live = this.live();
    const byStatus = Object.fromEntries(AccountStatuses.map((status) => [status, 0])) as Record<AccountStatus, number>;
    for (const stored of live) byStatus[stored.user.status] += 1;
    const byRole = Object.fromEntries(
      this.state.roles.map((role) => [role.name, live.filter((stored) => stored.roleNames.includes(role.name)).length]),
    );
    const since = (days: number) =>
      this.state.users.filter((stored) => stored.user.createdAt.getTime() >= now.getTime() - days * 86_400_000).length;
    return {
      totalUsers: live.length,
      active: byStatus.active,
      inactive: live.length - byStatus.active,
      deleted: this.state.users.length - live.length,
      byStatus,
      byRole,
      registrations: { last24h: since(1), last7d: since(7), last30d: since(30) },
    };
  }

  private replaceToken(token: RefreshToken): void {
    const index = this.state.refreshTokens.findIndex((candidate) => candidate.id === token.id);
    if (index < 0) throw new Error(`no refresh token ${token.id}`);
    this.state.refreshTokens[index] = token;
  }

  private storeToken(token: NewRefreshToken): RefreshToken {
    if (this.state.refreshTokens.some((existing) => existing.tokenHash === token.tokenHash)) {
      throw new Error("unique violation: refresh token hash");
    }
    const id = this.newId("rt");
    const familyId = token.familyId ?? id;
    // The store-level constraint: at most one active token per family.
    if (this.activeTokensOfFamily(familyId).length > 0) {
      throw new Error(`unique violation: family ${familyId} already has an active token`);
    }
    const stored: RefreshToken = {
      id,
      userId: token.userId,
      familyId,
      parentId: token.parentId,
      tokenHash: token.tokenHash,
      expiresAt: token.expiresAt,
      createdAt: this.clock.now(),
      lastUsedAt: null,
      revokedAt: null,
      revokedReason: null,
      replacedBy: null,
      userAgent: token.userAgent,
      ipAddress: token.ipAddress,
    };
    this.state.refreshTokens.push(stored);
    return stored;
  }

  private revokeWhere(match: (token: RefreshToken) => boolean, reason: RevocationReason, at: Date): RefreshToken[] {
    const revoked: RefreshToken[] = [];
    for (const token of this.state.refreshTokens) {
      if (token.revokedAt === null && match(token)) {
        const updated = { ...token, revokedAt: at, revokedReason: reason };
        this.replaceToken(updated);
        revoked.push(updated);
      }
    }
    return revoked;
  }

  private makeRefreshTokens(): RefreshTokenRepository {
    return {
      lockFamilyOf: async (tokenHash: string) => {
        this.lockCalls.push(tokenHash);
        return this.tokenByHash(tokenHash);
      },
      findActiveInFamily: async (familyId: string) => this.activeTokensOfFamily(familyId)[0],
      insert: async (token: NewRefreshToken) => {
        this.maybeFail("refreshTokens.insert");
        return this.storeToken(token);
      },
      rotate: async (current: RefreshToken, next: RotatedTokenInput, at: Date) => {
        this.maybeFail("refreshTokens.rotate");
        const stored = this.state.refreshTokens.find((token) => token.id === current.id);
        if (stored === undefined || stored.revokedAt !== null) {
          throw new Error(`refresh token ${current.id} is not active and cannot be rotated`);
        }
        this.replaceToken({ ...stored, revokedAt: at, revokedReason: "rotated", lastUsedAt: at });
        const successor = this.storeToken({
          userId: stored.userId,
          familyId: stored.familyId,
          parentId: stored.id,
          tokenHash: next.tokenHash,
          expiresAt: next.expiresAt,
          userAgent: next.userAgent,
          ipAddress: next.ipAddress,
        });
        this.replaceToken({
          ...stored,
          revokedAt: at,
          revokedReason: "rotated",
          lastUsedAt: at,
          replacedBy: successor.id,
        });
        return successor;
      },
      revokeFamily: async (familyId: string, reason: RevocationReason, at: Date) => {
        this.maybeFail("refreshTokens.revokeFamily");
        return this.revokeWhere((token) => token.familyId === familyId, reason, at).length;
      },
      revokeAllForUser: async (userId: string, reason: RevocationReason, at: Date, keepFamilyId?: string) => {
        const revoked = this.revokeWhere(
          (token) => token.userId === userId && token.familyId !== keepFamilyId,
          reason,
          at,
        );
        return [...new Set(revoked.map((token) => token.familyId))];
      },
      listActiveSessions: async (userId: string, now: Date) =>
        this.state.refreshTokens
          .filter((token) => token.userId === userId && token.revokedAt === null && token.expiresAt > now)
          .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
          .map((token) => {
            const family = this.tokensOfFamily(token.familyId);
            const started = Math.min(...family.map((member) => member.createdAt.getTime()));
            return {
              id: token.familyId,
              createdAt: new Date(started),
              lastUsedAt: token.createdAt,
              userAgent: token.userAgent,
              ipAddress: token.ipAddress,
            };
          }),
      familiesRevokedSince: async (since: Date) => {
        const families = this.state.refreshTokens
          .filter(
            (token) =>
              token.revokedAt !== null &&
              token.revokedReason !== "rotated" &&
              token.revokedAt.getTime() >= since.getTime(),
          )
          .map((token) => token.familyId);
        return [...new Set(families)];
      },
    };
  }

  private makeAuditLog(): AuditLog {
    return {
      append: async (entry: AuditEntry) => {
        this.maybeFail("auditLog.append");
        this.state.audit.push({ entry, txId: this.currentTx });
      },
      list: async (query: AuditLogQuery) => {
        const matching = this.state.audit
          .map(
            (stored, index): AuditRecord => ({
              ...stored.entry,
              id: `audit-${index}`,
              username: this.state.users.find((user) => user.user.id === stored.entry.userId)?.user.username ?? null,
            }),
          )
          .filter((record) => matchesAuditQuery(record, query))
          .reverse();
        const start = (query.page - 1) * query.perPage;
        return { items: matching.slice(start, start + query.perPage), totalItems: matching.length };
      },
    };
  }

  private makeOutbox(): MailOutbox {
    return {
      enqueue: async (mail: OutgoingMail) => {
        this.maybeFail("outbox.enqueue");
        this.state.outbox.push({ mail, txId: this.currentTx });
      },
    };
  }

  private makeOneTimeCodes(): OneTimeCodeRepository {
    const isUnused = (code: OneTimeCode) => code.usedAt === null && code.revokedAt === null;
    const change = (id: string, update: (code: OneTimeCode) => OneTimeCode | undefined): boolean => {
      const code = this.state.codes.find((candidate) => candidate.id === id);
      const updated = code && update(code);
      if (updated === undefined) return false;
      this.updateCode(id, updated);
      return true;
    };
    const revokeAll: OneTimeCodeRepository["revokeAll"] = async (userId, purpose, at) => {
      let revoked = 0;
      this.state.codes = this.state.codes.map((code) => {
        if (code.userId !== userId || code.purpose !== purpose || !isUnused(code)) return code;
        revoked += 1;
        return { ...code, revokedAt: at };
      });
      return revoked;
    };
    return {
      issue: async (input, at) => {
        this.maybeFail("oneTimeCodes.issue");
        await revokeAll(input.userId, input.purpose, at);
        const code: OneTimeCode = {
          ...input,
          id: this.newId("otc"),
          attempts: 0,
          createdAt: at,
          usedAt: null,
          revokedAt: null,
        };
        this.state.codes.push(code);
        return code;
      },
      findLatest: async (userId, purpose) =>
        this.state.codes.filter((code) => code.userId === userId && code.purpose === purpose && isUnused(code)).at(-1),
      findByTokenHash: async (tokenHash) => this.state.codes.find((code) => code.tokenHash === tokenHash),
      claimAttempt: async (id, maxAttempts) =>
        change(id, (code) =>
          isUnused(code) && code.attempts < maxAttempts ? { ...code, attempts: code.attempts + 1 } : undefined,
        ),
      consume: async (id, at) => change(id, (code) => (isUnused(code) ? { ...code, usedAt: at } : undefined)),
      revokeAll,
    };
  }

  private makeMailThrottle(): MailThrottle {
    return {
      take: async (key, limits, now) => {
        const windowStart = now.getTime() - limits.windowSeconds * 1000;
        const sent = this.state.throttle
          .filter((r) => r.key === key && r.at.getTime() > windowStart)
          .map((r) => r.at.getTime());
        const waits: number[] = [];
        const last = sent.length > 0 ? Math.max(...sent) : undefined;
        if (last !== undefined && limits.cooldownSeconds > 0)
          waits.push(last + limits.cooldownSeconds * 1000 - now.getTime());
        if (sent.length >= limits.maxPerWindow)
          waits.push(Math.min(...sent) + limits.windowSeconds * 1000 - now.getTime());
        const waitMs = Math.max(0, ...waits);
        if (waitMs > 0) return { allowed: false, retryAfterSeconds: Math.ceil(waitMs / 1000) };
        this.state.throttle.push({ key, at: now });
        return { allowed: true };
      },
    };
  }

  private makeUnitOfWork(): UnitOfWork {
    const repos: TransactionalRepositories = {
      users: this.users,
      refreshTokens: this.refreshTokens,
      roles: this.roles,
      auditLog: this.auditLog,
      outbox: this.outbox,
      oneTimeCodes: this.oneTimeCodes,
      mailThrottle: this.mailThrottle,
    };
    return {
      run: <T>(work: (tx: TransactionalRepositories) => Promise<T>): Promise<T> => {
        // One transaction at a time, like a fully serialized database: concurrent callers wait.
        const result = this.queue.then(() => this.runOne(work, repos));
        this.queue = result.then(
          () => undefined,
          () => undefined,
        );
        return result;
      },
    };
  }

  private async runOne<T>(
    work: (tx: TransactionalRepositories) => Promise<T>,
    repos: TransactionalRepositories,
  ): Promise<T> {
    this.txCounter += 1;
    const record: { id: number; outcome: "running" | "committed" | "rolled_back" } = {
      id: this.txCounter,
      outcome: "running",
    };
    this.transactions.push(record);
    const snapshot = structuredClone(this.state);
    this.currentTx = record.id;
    try {
      const result = await work(repos);
      record.outcome = "committed";
      return result;
    } catch (error) {
      this.state = snapshot;
      record.outcome = "rolled_back";
      throw error;
    } finally {
      this.currentTx = null;
    }
  }
}

function matchesListQuery(stored: StoredUser, query: UserListQuery): boolean {
  const { user } = stored;
  const term = query.search?.toLowerCase();
  const active = user.status === "active" && user.deletedAt === null;
  return (
    (query.includeDeleted || user.deletedAt === null) &&
    (term === undefined ||
      [user.username, user.email, user.fullName ?? ""].some((value) => value.toLowerCase().includes(term))) &&
    (query.status === undefined || user.status === query.status) &&
    (query.isActive === undefined || query.isActive === active) &&
    (query.role === undefined || stored.roleNames.includes(query.role))
  );
}

function listOrder(query: UserListQuery): (a: StoredUser, b: StoredUser) => number {
  const key = (stored: StoredUser): string =>
    query.sort === "created_at" ? stored.user.createdAt.toISOString() : stored.user[query.sort].toLowerCase();
  const sign = query.order === "asc" ? 1 : -1;
  return (a, b) => sign * (key(a).localeCompare(key(b)) || a.user.id.localeCompare(b.user.id));
}

function matchesAuditQuery(record: AuditRecord, query: AuditLogQuery): boolean {
  return (
    (query.userId === undefined || record.userId === query.userId) &&
    (query.action === undefined || record.action === query.action) &&
    (query.resourceType === undefined || record.resourceType === query.resourceType) &&
    (query.resourceId === undefined || record.resourceId === query.resourceId) &&
    (query.status === undefined || record.status === query.status) &&
    (query.from === undefined || record.timestamp.getTime() >= query.from.getTime()) &&
    (query.to === undefined || record.timestamp.getTime() <= query.to.getTime())
  );
}

/** The roles and permissions the first migration seeds, with ids the tests can name. */
function seededCatalogue(now: Date): { roles: StoredRole[]; permissions: Permission[] } {
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
