import type { AccountStatus } from "../user/account-status.js";
import type {
  NewUser,
  Page,
  RoleGrant,
  User,
  UserListQuery,
  UserPatch,
  UserStatistics,
  UserSummary,
  UserWithRoles,
} from "../user/user.js";

/** Profile fields a user may change themselves; absent fields stay as they are. */
export interface ProfileChanges {
  readonly username?: string;
  readonly fullName?: string | null;
  readonly phoneNumber?: string | null;
}

/**
 * Persistence of users and their role assignments. Lookups used by sign-in paths ignore
 * soft-deleted users; the administrator's lookups (`findById`, `lockById`, `list` with
 * `includeDeleted`) see them too.
 */
export interface UserRepository {
  /**
   * Inserts a user and grants it the named roles, atomically with respect to uniqueness.
   * @throws DomainError DUPLICATE_EMAIL or DUPLICATE_USERNAME when a live user already holds
   *   the email or username (case-insensitively), including when a concurrent insert won.
   */
  create(user: NewUser, roleNames: readonly string[]): Promise<User>;
  /** The live (not soft-deleted) user with this normalized email, if any. */
  findByEmail(email: string): Promise<User | undefined>;
  /** The live user with this id and its roles with their permissions, if any. */
  findWithRoles(id: string): Promise<UserWithRoles | undefined>;
  /** The user with this id and its roles, soft-deleted or not; undefined when no such row exists. */
  findById(id: string): Promise<UserWithRoles | undefined>;
  /**
   * Like `findById`, and locks the user's row until the surrounding unit of work ends, so a
   * check on the user's state and the change that depends on it cannot interleave with
   * another administrator's change.
   */
  lockById(id: string): Promise<UserWithRoles | undefined>;
  /**
   * Writes the fields present in `patch` (and `updated_at`) and returns the stored user.
   * @throws DomainError DUPLICATE_EMAIL or DUPLICATE_USERNAME when the new (or, on restore,
   *   the revived) username or email is held by another live user.
   */
  update(id: string, patch: UserPatch): Promise<User>;
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
   * The live user with this id, its row locked until the surrounding unit of work ends, so a
   * check on it (status, password hash) still holds when the change is written.
   */
  lockLiveById(id: string): Promise<User | undefined>;
  /**
   * Moves the user to `status` with `reason`. Call after `lockLiveById` and `assertTransition`:
   * the state machine decides, this only writes.
   */
  setStatus(id: string, status: AccountStatus, reason: string | null, at: Date): Promise<void>;
  /**
   * Soft-deletes the user (`deleted_at`, `deleted_by`): it disappears from every read here,
   * and its email and username are free again. Call after `lockLiveById`.
   */
  softDelete(id: string, deletedBy: string, at: Date): Promise<void>;
  /**
   * Records a proven email address: sets `emailVerifiedAt` and moves a `pending_verification`
   * user to `status`. Returns undefined when the user is gone or no longer pending.
   */
  markEmailVerified(id: string, status: AccountStatus, at: Date): Promise<User | undefined>;
  /** Replaces the password hash and stamps `passwordChangedAt`; undefined when the user is gone. */
  setPassword(id: string, passwordHash: string, at: Date): Promise<User | undefined>;
  /**
   * Applies profile changes. @throws DomainError DUPLICATE_USERNAME when another live user holds
   * the username (case-insensitively). Undefined when the user is gone.
   */
  updateProfile(id: string, changes: ProfileChanges, at: Date): Promise<User | undefined>;
  /**
   * Makes a proven address the login email (and marks it verified).
   * @throws DomainError DUPLICATE_EMAIL when another live user took it meanwhile.
   */
  changeEmail(id: string, email: string, at: Date): Promise<User | undefined>;
  /**
   * Deletes never-verified registrations that hold `email` or `username` and have expired: created
   * before `createdBefore` and without a verification code still valid at `now`. Frees the
   * address and name for a new registration (seed 000 flow 12). Returns the deleted users' ids.
   */
  deleteExpiredRegistrations(
    holding: { readonly email: string; readonly username: string },
    createdBefore: Date,
    now: Date,
  ): Promise<string[]>;
}
