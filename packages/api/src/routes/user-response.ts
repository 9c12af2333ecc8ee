import type { RoleGrant, User } from "@gatehouse/domain";
import { isActive } from "@gatehouse/domain";

/** The entity → response mapping (the one mapping after the repository's row → entity one). */
export function registeredUserResponse(
  user: Pick<User, "id" | "username" | "email" | "fullName" | "phoneNumber" | "status" | "createdAt">,
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
export function currentUserResponse(user: User, roles: readonly RoleGrant[]) {
  return {
    ...registeredUserResponse(user),
    is_active: isActive(user),
    email_verified_at: user.emailVerifiedAt?.toISOString() ?? null,
    roles: roles.map((role) => ({ id: role.id, name: role.name, permissions: [...role.permissions] })),
    updated_at: user.updatedAt.toISOString(),
  };
}
