import type { User } from "@gatehouse/domain";
import { table } from "./command.js";

/** A user as the CLI prints it: the API's fields, never the password hash. */
export function userView(user: User, roleNames?: readonly string[]) {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    status: user.status,
    ...(roleNames === undefined ? {} : { roles: [...roleNames] }),
    full_name: user.fullName,
    email_verified_at: user.emailVerifiedAt?.toISOString() ?? null,
    created_at: user.createdAt.toISOString(),
    deleted_at: user.deletedAt?.toISOString() ?? null,
  };
}

export type UserView = ReturnType<typeof userView>;

export function usersTable(users: readonly UserView[]): string {
  return table(
    ["ID", "USERNAME", "EMAIL", "STATUS", "ROLES", "CREATED"],
    users.map((u) => [
      u.id,
      u.username,
      u.email,
      u.deleted_at ? "deleted" : u.status,
      (u.roles ?? []).join(","),
      u.created_at,
    ]),
  );
}

/** One user as `field: value` lines. */
export function userDetails(user: UserView): string {
  return Object.entries(user)
    .map(([field, value]) => `${field.padEnd(18)}${Array.isArray(value) ? value.join(", ") : String(value ?? "-")}`)
    .join("\n");
}
