import { USERNAME_MAX, USERNAME_MIN } from "@gatehouse/domain";

/** How many usernames an account created from another party's profile tries before giving up. */
export const DERIVED_USERNAME_ATTEMPTS = 4;

/**
 * A username for an account Gatehouse creates from another party's profile (a federated login,
 * a Keycloak token): the email's local part (else `name`) reduced to the allowed characters. The
 * first attempt takes it as is; each later one (a lost race, a taken name) adds six characters of
 * `uniqueId`, for which the base leaves room.
 */
export function derivedUsername(email: string | null, name: string | null, attempt: number, uniqueId: () => string) {
  const source = email?.split("@")[0] ?? name ?? "user";
  const cleaned = source
    .replace(/[^A-Za-z0-9_.-]+/g, "_")
    .replace(/^[_.-]+/, "")
    .toLowerCase();
  const base = (cleaned.length >= USERNAME_MIN ? cleaned : `${cleaned}user`).slice(0, USERNAME_MAX - 7);
  return attempt === 0 ? base : `${base}_${uniqueId().replace(/-/g, "").slice(0, 6)}`;
}
