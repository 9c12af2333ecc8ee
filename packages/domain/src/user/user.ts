import type { OneTimeCodePurpose } from "../verification/one-time-code.js";
import type { AccountStatus } from "./account-status.js";

/** A user as the domain sees it. `passwordHash` never leaves the application layer. */
export interface User {
  readonly id: string;
  readonly username: string;
  readonly email: string;
  readonly passwordHash: string;
  readonly fullName: string | null;
  readonly phoneNumber: string | null;
  readonly organization: string | null;
  readonly department: string | null;
  readonly status: AccountStatus;
  readonly statusReason: string | null;
  readonly statusChangedAt: Date;
  readonly emailVerifiedAt: Date | null;
  readonly passwordChangedAt: Date;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly deletedAt: Date | null;
  readonly deletedBy: string | null;
  /** When the worker anonymised the soft-deleted account; a purged account cannot be restored. */
  readonly purgedAt: Date | null;
  /** The linked Keycloak account's id (IDENTITY_BACKEND=keycloak); null when there is none. */
  readonly keycloakId: string | null;
  /** Whether Keycloak has caught up with this row; null when Keycloak does not manage the user. */
  readonly keycloakSyncStatus: KeycloakSyncStatus | null;
}

/**
 * Where a user's copy in Keycloak stands: `pending` while a sync operation is queued, `synced`
 * once Keycloak holds the row's state, `failed` when Keycloak refused in a way a retry cannot fix
 * (an account with this email that Gatehouse does not know: reported, never overwritten).
 */
export const KeycloakSyncStatuses = ["pending", "synced", "failed"] as const;
export type KeycloakSyncStatus = (typeof KeycloakSyncStatuses)[number];

/** The fields needed to create a user; the repository fills ids and timestamps. */
export interface NewUser {
  readonly username: string;
  readonly email: string;
  readonly passwordHash: string;
  readonly fullName: string | null;
  readonly phoneNumber: string | null;
  readonly organization?: string | null;
  readonly department?: string | null;
  readonly status: AccountStatus;
  readonly emailVerifiedAt: Date | null;
  /** Set when the user is created in Keycloak mode: the row starts `pending` its Keycloak copy. */
  readonly keycloakSyncStatus?: KeycloakSyncStatus | null;
}

/**
 * Stored instead of a hash for accounts created without a password (by an administrator):
 * no password verifies against it, so the owner must set one through password reset first.
 * Not an argon2 string, so it can never collide with a real hash.
 */
export const UNUSABLE_PASSWORD_HASH = "!password-reset-required";

/**
 * The columns one write to a user row may set; absent fields stay as they are. The repository
 * stamps `updatedAt` with the `at` it is given, so every write uses the application's clock.
 */
export type UserChanges = Partial<
  Pick<
    User,
    | "username"
    | "email"
    | "passwordHash"
    | "fullName"
    | "phoneNumber"
    | "organization"
    | "department"
    | "status"
    | "statusReason"
    | "statusChangedAt"
    | "emailVerifiedAt"
    | "passwordChangedAt"
    | "deletedAt"
    | "deletedBy"
    | "keycloakId"
    | "keycloakSyncStatus"
  >
>;

/** The changes behind each lifecycle write, named for what they mean. */
export const UserChanges = {
  /** A new password hash, stamped as changed at `at`. */
  password: (passwordHash: string, at: Date): UserChanges => ({ passwordHash, passwordChangedAt: at }),
  /** A move along the account-status state machine (the caller checked the transition). */
  status: (status: AccountStatus, reason: string | null, at: Date): UserChanges => ({
    status,
    statusReason: reason,
    statusChangedAt: at,
  }),
  /** A proven address: marks it verified and, when `status` is given, moves the account there. */
  verifiedEmail: (email: string | undefined, at: Date, status?: AccountStatus): UserChanges => ({
    ...(email === undefined ? {} : { email }),
    emailVerifiedAt: at,
    ...(status === undefined ? {} : { status, statusChangedAt: at }),
  }),
  /** A soft delete by `deletedBy` (null: the operator at the CLI): the email and username are free again. */
  softDelete: (deletedBy: string | null, at: Date): UserChanges => ({ deletedAt: at, deletedBy }),
  /** Undoes a soft delete. */
  restore: (): UserChanges => ({ deletedAt: null, deletedBy: null }),
} as const;

/**
 * The one-time codes a write makes unsafe: a code proves control of an address or authorises a
 * credential change, so it must not outlive the credentials it was issued under. A new email
 * ends every reset, email-change and verification code (a link mailed to the old address must
 * not reset the password); a new password ends reset and email-change codes; a status move or a
 * soft delete ends them all. Second factors, when they exist, belong in this list too.
 */
export function codesEndedBy(changes: UserChanges): readonly OneTimeCodePurpose[] {
  if (changes.email !== undefined || changes.status !== undefined || (changes.deletedAt ?? null) !== null) {
    return ["reset_password", "change_email", "verify_email"];
  }
  return changes.passwordHash === undefined ? [] : ["reset_password", "change_email"];
}

/** Preconditions of a write: it changes nothing (and answers undefined) unless the row matches. */
export interface UserExpectation {
  /** false: only a live (not soft-deleted) row; true: only a soft-deleted one. */
  readonly deleted?: boolean;
  /** Only a row in this status. */
  readonly status?: AccountStatus;
}

/** A user with the names of its roles, as listed by administrators. */
export interface UserSummary {
  readonly user: User;
  readonly roleNames: readonly string[];
}

/** Sort keys of the admin user list. */
export const UserSortFields = ["created_at", "username", "email"] as const;
export type UserSortField = (typeof UserSortFields)[number];

/** Filters, order and page of the admin user list. */
export interface UserListQuery {
  readonly page: number;
  readonly perPage: number;
  /**
   * Case-insensitive substring of username, email or full name; taken literally (no wildcards).
   * Free of control characters (the API refuses them).
   */
  readonly search?: string;
  readonly role?: string;
  readonly isActive?: boolean;
  readonly status?: AccountStatus;
  readonly includeDeleted: boolean;
  readonly sort: UserSortField;
  readonly order: "asc" | "desc";
}

/** One page of results and how many match in all. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly totalItems: number;
}

/** Counts for the admin dashboard. Deleted users count only as deleted. */
export interface UserStatistics {
  readonly totalUsers: number;
  readonly active: number;
  readonly inactive: number;
  readonly deleted: number;
  readonly byStatus: Readonly<Record<AccountStatus, number>>;
  readonly byRole: Readonly<Record<string, number>>;
  readonly registrations: { readonly last24h: number; readonly last7d: number; readonly last30d: number };
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
