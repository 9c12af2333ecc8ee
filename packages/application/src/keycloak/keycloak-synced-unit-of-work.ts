import type {
  KeycloakSyncOutbox,
  KeycloakSyncRepositories,
  RefreshTokenRepository,
  TransactionalRepositories,
  UnitOfWork,
  UserChanges,
  UserRepository,
} from "@gatehouse/domain";
import type { PasswordHandoff } from "./password-handoff.js";
import type { KeycloakSessionHandoff } from "./session-handoff.js";

// The columns a Keycloak account mirrors (through keycloakStateOf): a write touching none of
// them (a last-login stamp, the sync's own link) queues nothing.
const MIRRORED: readonly (keyof UserChanges)[] = [
  "username",
  "email",
  "passwordHash",
  "fullName",
  "status",
  "emailVerifiedAt",
  "deletedAt",
];

function mirrored(changes: UserChanges): boolean {
  return MIRRORED.some((column) => changes[column] !== undefined);
}

/**
 * The user repository of one transaction with every write queued for Keycloak in that same
 * transaction: `UserRepository` is the one writer of user rows, so hooking it covers every use
 * case, the CLI and the worker without any of them naming Keycloak. A create or a mirrored
 * change marks the row `pending` and queues a push (with the new password, if the write stores
 * one); a permanent delete, or the deletion of expired registrations, queues the account's removal.
 */
function keycloakSyncedUsers(
  users: UserRepository,
  outbox: KeycloakSyncOutbox,
  handoff: PasswordHandoff,
  queued: () => void,
): UserRepository {
  return Object.assign(Object.create(users) as UserRepository, {
    async create(user, roleNames) {
      const created = await users.create({ ...user, keycloakSyncStatus: "pending" }, roleNames);
      await outbox.push(created.id, handoff.take(user.passwordHash));
      queued();
      return created;
    },
    async update(id, changes, at, expect) {
      if (!mirrored(changes)) return users.update(id, changes, at, expect);
      const stored = await users.update(id, { ...changes, keycloakSyncStatus: "pending" }, at, expect);
      if (stored === undefined) return stored;
      const password = changes.passwordHash === undefined ? undefined : handoff.take(changes.passwordHash);
      await outbox.push(id, password);
      queued();
      return stored;
    },
    async deletePermanently(id) {
      const before = await users.find(id, { includeDeleted: true, lock: true });
      const deleted = await users.deletePermanently(id);
      if (deleted) {
        await outbox.remove(id, before?.user.keycloakId ?? null);
        queued();
      }
      return deleted;
    },
    async deleteExpiredRegistrations(holding, createdBefore, now) {
      const ids = await users.deleteExpiredRegistrations(holding, createdBefore, now);
      // The rows are gone with their keycloak_id: the removal finds the account by gatehouse_id.
      for (const id of ids) await outbox.remove(id, null);
      if (ids.length > 0) queued();
      return ids;
    },
  } satisfies Partial<UserRepository>);
}

/**
 * The refresh tokens of one transaction with the Keycloak sessions behind them: a new session
 * (first token of a family) keeps the Keycloak session its password-grant sign-in opened, and
 * every session ended here (logout, logout everywhere, a password change) queues the Keycloak
 * logout of its held session in the same transaction, so Keycloak being down never fails the
 * logout and a crash never loses it: the sync retries it.
 */
function keycloakSessionTokens(
  tokens: RefreshTokenRepository,
  outbox: KeycloakSyncOutbox,
  sessions: Pick<KeycloakSessionHandoff, "take">,
  queued: () => void,
): RefreshTokenRepository {
  const ended = async (familyIds: readonly string[]) => {
    if (familyIds.length > 0 && (await outbox.endSessions(familyIds)) > 0) queued();
  };
  return Object.assign(Object.create(tokens) as RefreshTokenRepository, {
    async insert(token) {
      const stored = await tokens.insert(token);
      const held = token.parentId === null ? sessions.take(token.userId) : undefined;
      if (held !== undefined) await outbox.holdSession(stored.familyId, token.userId, held);
      return stored;
    },
    async revokeFamily(familyId, reason, at) {
      const revoked = await tokens.revokeFamily(familyId, reason, at);
      await ended([familyId]);
      return revoked;
    },
    async revokeAllForUser(userId, reason, at, keepFamilyId) {
      const families = await tokens.revokeAllForUser(userId, reason, at, keepFamilyId);
      await ended(families);
      return families;
    },
  } satisfies Partial<RefreshTokenRepository>);
}

/**
 * The unit of work of IDENTITY_BACKEND=keycloak: the same transactions, with user writes queued
 * for Keycloak inside them (see keycloakSyncedUsers), and `onQueued` called after a commit that
 * queued something (the server kicks its sync there).
 */
export function keycloakSyncedUnitOfWork(
  inner: UnitOfWork<KeycloakSyncRepositories>,
  handoff: PasswordHandoff,
  onQueued: () => void = () => {},
  sessions: Pick<KeycloakSessionHandoff, "take"> = { take: () => undefined },
): UnitOfWork<TransactionalRepositories> {
  return {
    async run(work) {
      let queued = false;
      const result = await inner.run(({ keycloakSync, ...tx }) =>
        work({
          ...tx,
          users: keycloakSyncedUsers(tx.users, keycloakSync, handoff, () => (queued = true)),
          refreshTokens: keycloakSessionTokens(tx.refreshTokens, keycloakSync, sessions, () => (queued = true)),
        }),
      );
      if (queued) onQueued();
      return result;
    },
  };
}
