import type {
  AuditEntry,
  AuditLog,
  Clock,
  DeviceToken,
  DeviceTokenRepository,
  MailOutbox,
  MailThrottle,
  OneTimeCode,
  OneTimeCodeRepository,
  OutgoingMail,
  RefreshToken,
  RefreshTokenRepository,
  RoleRepository,
  TransactionalRepositories,
  UnitOfWork,
  User,
  UserRepository,
} from "@gatehouse/domain";
import { SystemRoles } from "@gatehouse/domain";
import { makeFakeDeviceTokens } from "./fake-devices.js";
import { FakeMfa } from "./fake-mfa.js";
import { makeFakeAuditLog, makeFakeMailThrottle, makeFakeOneTimeCodes, makeFakeOutbox } from "./fake-records.js";
import { makeFakeRoles, seededCatalogue } from "./fake-roles.js";
import type { FailurePoint, FakeStore, State, StoredAuditEntry, StoredUser } from "./fake-store.js";
import { makeFakeRefreshTokens } from "./fake-tokens.js";
import { makeFakeUsers, newStoredUser, patchUser } from "./fake-users.js";

export { SEEDED_ROLES } from "./fake-roles.js";
export type { StoredAuditEntry, StoredUser } from "./fake-store.js";

type Outcome = "running" | "committed" | "rolled_back";

/**
 * An in-memory store behind every repository port, for unit tests only (one file per port:
 * `fake-*.ts`). Writes go straight to the state; `uow.run` copies the state when it starts and
 * restores the copy when the work throws, so a failed unit of work leaves no trace, like a
 * rolled-back transaction. The repositories pass the port contracts of `@gatehouse/domain/testing`;
 * a method no unit test needs throws "unsupported in the fake: test it on PGlite".
 */
export class InMemoryDatabase {
  private readonly store: FakeStore;
  private readonly failures = new Map<FailurePoint, Error>();
  private queue: Promise<void> = Promise.resolve();

  /** Every unit of work run so far, with how it ended. */
  readonly transactions: Array<{ id: number; outcome: Outcome }> = [];
  /** Token hashes passed to `lockFamilyOf`, in call order. */
  readonly lockCalls: string[] = [];

  readonly users: UserRepository;
  readonly refreshTokens: RefreshTokenRepository;
  readonly roles: RoleRepository;
  readonly auditLog: AuditLog;
  readonly outbox: MailOutbox;
  readonly oneTimeCodes: OneTimeCodeRepository;
  readonly mailThrottle: MailThrottle;
  readonly deviceTokens: DeviceTokenRepository;
  readonly mfa = new FakeMfa();
  readonly uow: UnitOfWork;

  constructor(private readonly clock: Clock) {
    const state: State = {
      users: [],
      ...seededCatalogue(clock.now()),
      refreshTokens: [],
      audit: [],
      outbox: [],
      codes: [],
      throttle: [],
      deviceTokens: [],
      nextId: 1,
    };
    const failures = this.failures;
    this.store = {
      state,
      clock,
      currentTx: null,
      newId(prefix) {
        const id = `${prefix}-${this.state.nextId}`;
        this.state.nextId += 1;
        return id;
      },
      maybeFail(point) {
        const error = failures.get(point);
        if (error === undefined) return;
        failures.delete(point);
        throw error;
      },
    };
    this.users = makeFakeUsers(this.store);
    this.roles = makeFakeRoles(this.store);
    this.refreshTokens = makeFakeRefreshTokens(this.store, this.lockCalls);
    this.auditLog = makeFakeAuditLog(this.store);
    this.outbox = makeFakeOutbox(this.store);
    this.oneTimeCodes = makeFakeOneTimeCodes(this.store);
    this.mailThrottle = makeFakeMailThrottle(this.store);
    this.deviceTokens = makeFakeDeviceTokens(this.store);
    this.uow = this.makeUnitOfWork();
  }

  private get state(): State {
    return this.store.state;
  }

  /** Makes the next call to `point` throw `error` (once). */
  failNext(point: FailurePoint, error: Error = new Error(`injected failure in ${point}`)): void {
    this.failures.set(point, error);
  }

  // ---- test helpers (bypass the ports) -------------------------------------------------------

  /** Inserts a user directly, outside any unit of work. */
  seedUser(overrides: Partial<User> = {}, roleNames: readonly string[] = [SystemRoles.user]): User {
    const id = overrides.id ?? this.store.newId("user");
    const defaults = { username: `user_${id}`, email: `${id}@example.com`, passwordHash: "hashed:Passw0rd!" };
    const fresh = newStoredUser(
      id,
      { ...defaults, fullName: null, phoneNumber: null, status: "active", emailVerifiedAt: null },
      this.clock.now(),
    );
    const user: User = { ...fresh, ...overrides };
    this.state.users.push({ user, roleNames: [...roleNames], txId: null });
    return user;
  }

  /** Changes a stored user directly, outside any unit of work. */
  updateUser(id: string, changes: Partial<User>): User {
    return patchUser(this.store, id, changes);
  }

  /** Replaces a stored user's roles directly, outside any unit of work. */
  setRoles(id: string, roleNames: readonly string[]): void {
    this.state.users = this.state.users.map((stored) =>
      stored.user.id === id ? { ...stored, roleNames: [...roleNames] } : stored,
    );
  }

  /** Inserts a refresh token directly, outside any unit of work and its constraints. */
  seedRefreshToken(overrides: Partial<RefreshToken> & Pick<RefreshToken, "userId" | "tokenHash">): RefreshToken {
    const now = this.clock.now();
    const id = overrides.id ?? this.store.newId("rt");
    const token: RefreshToken = {
      id,
      familyId: id,
      parentId: null,
      expiresAt: new Date(now.getTime() + 86_400_000),
      sessionExpiresAt: new Date(now.getTime() + 30 * 86_400_000),
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

  /** Every device token stored so far, oldest first. */
  allDeviceTokens(): DeviceToken[] {
    return [...this.state.deviceTokens];
  }

  auditEntries(): AuditEntry[] {
    return this.state.audit.map((stored) => stored.entry);
  }

  storedAuditEntries(): StoredAuditEntry[] {
    return [...this.state.audit];
  }

  // ---- the unit of work ------------------------------------------------------------------------

  private makeUnitOfWork(): UnitOfWork {
    const repos: TransactionalRepositories = {
      users: this.users,
      refreshTokens: this.refreshTokens,
      roles: this.roles,
      auditLog: this.auditLog,
      outbox: this.outbox,
      oneTimeCodes: this.oneTimeCodes,
      mailThrottle: this.mailThrottle,
      deviceTokens: this.deviceTokens,
      mfa: this.mfa,
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

  private async runOne<T>(work: (tx: TransactionalRepositories) => Promise<T>, repos: TransactionalRepositories) {
    const record: { id: number; outcome: Outcome } = { id: this.transactions.length + 1, outcome: "running" };
    this.transactions.push(record);
    const snapshot = structuredClone(this.state);
    const restoreMfa = this.mfa.snapshot();
    this.store.currentTx = record.id;
    try {
      const result = await work(repos);
      record.outcome = "committed";
      return result;
    } catch (error) {
      this.store.state = snapshot;
      restoreMfa();
      record.outcome = "rolled_back";
      throw error;
    } finally {
      this.store.currentTx = null;
    }
  }
}
