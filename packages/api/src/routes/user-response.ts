import type { UserProfile } from "@gatehouse/application";
import type { RoleGrant, User } from "@gatehouse/domain";
import { isActive } from "@gatehouse/domain";

/** The entity → response mapping (the one mapping after the repository's row → entity one). */
export function registeredUserResponse(
  user: Pick<UserProfile, "id" | "username" | "email" | "fullName" | "phoneNumber" | "status" | "createdAt">,
) {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    full_name: user.fullName,
    phone_number: user.phoneNumber,
    status: user.status,
    created_at: user.createdAt.toISOString(),
  };
}

/** The signed-in user: the shared fields plus state, roles and their permissions. */
export function currentUserResponse(user: UserProfile, roles: readonly RoleGrant[]) {
  return {
    ...registeredUserResponse(user),
    is_active: isActive(user),
    email_verified_at: user.emailVerifiedAt?.toISOString() ?? null,
    roles: roles.map((role) => ({ id: role.id, name: role.name, permissions: [...role.permissions] })),
    updated_at: user.updatedAt.toISOString(),
  };
}

/** A user as administrators see it (PRD §4.9.1 / §4.6.3): every field but the password hash. */
export function adminUserResponse(user: User, roleNames: readonly string[]) {
  return {
    ...registeredUserResponse(user),
    organization: user.organization,
    department: user.department,
    status_reason: user.statusReason,
    status_changed_at: user.statusChangedAt.toISOString(),
    roles: [...roleNames],
    is_active: isActive(user),
    is_deleted: user.deletedAt !== null,
    deleted_at: user.deletedAt?.toISOString() ?? null,
    deleted_by: user.deletedBy,
    email_verified_at: user.emailVerifiedAt?.toISOString() ?? null,
    updated_at: user.updatedAt.toISOString(),
  };
}

/** PRD §5.1 pagination block. */
export function paginationOf(page: number, perPage: number, totalItems: number) {
  return { page, per_page: perPage, total_items: totalItems, total_pages: Math.ceil(totalItems / perPage) };
}
