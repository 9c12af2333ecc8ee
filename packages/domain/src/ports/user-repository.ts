import type { NewUser, User, UserWithRoles } from "../user/user.js";

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
}
