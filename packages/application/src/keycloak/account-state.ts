import type { KeycloakAccountState, User } from "@gatehouse/domain";

/**
 * What the user's Keycloak account should hold, derived from the local row (which decides):
 * enabled only while the account is active and not soft-deleted, so approval, suspension and
 * deletion reach Keycloak as `enabled`. Keycloak 26's user profile requires first and last
 * names: a missing part falls back to the username.
 */
export function keycloakStateOf(user: User): KeycloakAccountState {
  const [first, ...rest] = (user.fullName ?? "").trim().split(/\s+/).filter(Boolean);
  return {
    gatehouseId: user.id,
    username: user.username,
    email: user.email,
    firstName: first ?? user.username,
    lastName: rest.length > 0 ? rest.join(" ") : user.username,
    enabled: user.status === "active" && user.deletedAt === null,
    emailVerified: user.emailVerifiedAt !== null,
  };
}
