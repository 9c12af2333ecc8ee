import type {
  AuditEntry,
  Clock,
  DeviceToken,
  OneTimeCode,
  OutgoingMail,
  Permission,
  RefreshToken,
  Role,
  User,
} from "@gatehouse/domain";
import { UNSUPPORTED_IN_FAKE } from "@gatehouse/domain/testing/unsupported";

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

/** A role as the fake stores it: with the ids of the permissions it grants. */
export interface StoredRole extends Role {
  readonly permissionIds: readonly string[];
}

/** Everything the fake holds; `uow.run` copies it at the start and restores the copy on a throw. */
export interface State {
  users: StoredUser[];
  roles: StoredRole[];
  permissions: Permission[];
  refreshTokens: RefreshToken[];
  audit: StoredAuditEntry[];
  outbox: Array<{ readonly mail: OutgoingMail; readonly txId: number | null }>;
  codes: OneTimeCode[];
  throttle: Array<{ key: string; at: Date }>;
  deviceTokens: DeviceToken[];
  nextId: number;
}

/** The points a test can make fail once (`InMemoryDatabase.failNext`). */
export type FailurePoint = "users.create" | "users.update" | "refreshTokens.rotate" | "auditLog.append";

/** What every fake repository shares: the state, the clock, ids, injected failures, the running unit of work. */
export interface FakeStore {
  state: State;
  readonly clock: Clock;
  currentTx: number | null;
  newId(prefix: string): string;
  maybeFail(point: FailurePoint): void;
}

/** A port method no unit test needs: its behaviour is pinned on PGlite, not here. */
export async function unsupported(): Promise<never> {
  throw new Error(UNSUPPORTED_IN_FAKE);
}
