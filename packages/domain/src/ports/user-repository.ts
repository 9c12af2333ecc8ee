import type {
  NewUser,
  Page,
  RoleGrant,
  User,
  UserChanges,
  UserExpectation,
  UserListQuery,
  UserStatistics,
  UserSummary,
  UserWithRoles,
} from "../user/user.js";

/** How `find` reads a user. */
export interface FindUserOptions {
  /** Also answer a soft-deleted user (administrators see them). Default: live users only. */
  readonly includeDeleted?: boolean;
  /**
   * Lock the user's row until the surrounding unit of work ends, so a check on the user's state
   * and the change that depends on it cannot interleave with another change of the same user.
   */
  readonly lock?: boolean;
}

/**
 * Persistence of users and their role assignments: one reader by id, one by email, and one
 * writer (`update`) for every change to a user row, whoever makes it. What a change means is
 * named by the domain's `UserChanges` builders; this port only stores it.
 */
export interface UserRepository {
  /**
   * Inserts a user and grants it the named roles, atomically with respect to uniqueness.
   * @throws DomainError DUPLICATE_EMAIL or DUPLICATE_USERNAME when a live user already holds
   *   the email or username (case-insensitively), including when a concurrent insert won.
   */
  create(user: NewUser, roleNames: readonly string[]): Promise<User>;
  /**
   * The user with this id and its roles with their permissions; by default only a live one.
   * Undefined when no such row exists (or it is soft-deleted and `includeDeleted` is not set).
   */
  find(id: string, options?: FindUserOptions): Promise<UserWithRoles | undefined>;
  /** The live (not soft-deleted) user with this normalized email, if any. */
  findByEmail(email: string): Promise<User | undefined>;
  /**
   * The user linked to this Keycloak account, soft-deleted or not (a Keycloak id names one row
   * for good: `keycloak_id` is unique over all rows), if any.
   */
  findByKeycloakId(keycloakId: string): Promise<User | undefined>;
  /**
   * Up to `limit` users Keycloak manages (`keycloak_sync_status` not null), soft-deleted ones
   * too, in id order after `afterId` (from the first when null): the keyset pages the Keycloak
   * reconciliation walks the local side in. Local-only accounts (status null) are left out.
   */
  keycloakManaged(afterId: string | null, limit: number): Promise<User[]>;
  /**
   * Whether a live user holds this username (case-insensitively, as uniqueness compares it):
   * registration asks before it looks at the email, so a taken username gets one answer
   * whether or not the email has an account.
   */
  usernameTaken(username: string): Promise<boolean>;
  /**
   * Writes `changes` and stamps `updated_at` with `at` (the application's clock), provided the
   * row matches `expect`; returns the stored user, or undefined when no row matched. In the
   * same unit of work it revokes the user's unused one-time codes that `codesEndedBy(changes)`
   * names (a new email, password or status, a soft delete), so no code outlives the credentials
   * it was issued under; call it inside a unit of work, or the two writes are not atomic.
   * @throws DomainError DUPLICATE_EMAIL or DUPLICATE_USERNAME when the new (or, on restore,
   *   the revived) username or email is held by another live user (case-insensitively).
   */
  update(id: string, changes: UserChanges, at: Date, expect?: UserExpectation): Promise<User | undefined>;
  /**
   * Replaces the live user's password hash `from` by `to` (the same password, re-hashed in the
   * current format after a login proved it) and answers whether it did: a no-op when the hash is
   * no longer `from` (a concurrent password change wins). Not a password change: it keeps
   * `passwordChangedAt` and ends no one-time code, since the password is the same.
   */
  upgradePasswordHash(id: string, from: string, to: string, at: Date): Promise<boolean>;
  /**
   * Removes the row with its role assignments and refresh tokens; audit entries keep the id.
   * Returns false when no such row existed.
   */
  deletePermanently(id: string): Promise<boolean>;
  /** One page of users with their role names, filtered and ordered as asked, with the total count. */
  list(query: UserListQuery): Promise<Page<UserSummary>>;
  /** Counts by status, by role, active/inactive/deleted and registrations before `now`. */
  statistics(now: Date): Promise<UserStatistics>;
  /** The roles with these names and their permissions; names that match no role are left out. */
  rolesNamed(names: readonly string[]): Promise<RoleGrant[]>;
  /**
   * Deletes never-verified registrations that hold `email` or `username` and have expired: created
   * before `createdBefore` and without a verification code still valid at `now`. Frees the
   * address and name for a new registration. Returns the deleted users' ids.
   */
  deleteExpiredRegistrations(
    holding: { readonly email: string; readonly username: string },
    createdBefore: Date,
    now: Date,
  ): Promise<string[]>;
}
