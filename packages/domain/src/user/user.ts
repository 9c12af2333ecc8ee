import type { AccountStatus } from "./account-status.js";

/** A user as the domain sees it. `passwordHash` never leaves the application layer. */
export interface User {
  readonly id: string;
  readonly username: string;
  readonly email: string;
  readonly passwordHash: string;
  readonly fullName: string | null;
  readonly phoneNumber: string | null;
  readonly status: AccountStatus;
  readonly statusReason: string | null;
  readonly statusChangedAt: Date;
  readonly emailVerifiedAt: Date | null;
  readonly passwordChangedAt: Date;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly deletedAt: Date | null;
  readonly deletedBy: string | null;
}

/** The fields needed to create a user; the repository fills ids and timestamps. */
export interface NewUser {
  readonly username: string;
  readonly email: string;
  readonly passwordHash: string;
  readonly fullName: string | null;
  readonly phoneNumber: string | null;
  readonly status: AccountStatus;
  readonly emailVerifiedAt: Date | null;
}

/** A role with the names of the permissions it grants. */
export interface RoleGrant {
  readonly id: string;
  readonly name: string;
  readonly permissions: readonly string[];
}

/** A user together with the roles and permissions that decide what they may do. */
export interface UserWithRoles {
  readonly user: User;
  readonly roles: readonly RoleGrant[];
}

export function permissionsOf(roles: readonly RoleGrant[]): string[] {
  return [...new Set(roles.flatMap((role) => role.permissions))].sort();
}

export function isActive(user: Pick<User, "status" | "deletedAt">): boolean {
  return user.status === "active" && user.deletedAt === null;
}
