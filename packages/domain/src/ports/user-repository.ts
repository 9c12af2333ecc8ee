import type { AccountStatus } from "../user/account-status.js";
import type { NewUser, User, UserWithRoles } from "../user/user.js";

/** Profile fields a user may change themselves; absent fields stay as they are. */
export interface ProfileChanges {
  readonly username?: string;
  readonly fullName?: string | null;
  readonly phoneNumber?: string | null;
}

/** Persistence of users and their role assignments. Soft-deleted users are invisible here. */
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
