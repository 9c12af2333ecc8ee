import type { KeycloakDirectory } from "@gatehouse/domain";

/**
 * Whether an account Gatehouse did not create (no `gatehouse_id`) holds `email` in Keycloak: the
 * one collision the sync can only report (it never overwrites a foreign account), so registration
 * asks first. An account Gatehouse created is left to the sync, which adopts or replaces it.
 */
export function makeEmailHeldByForeignAccount(directory: Pick<KeycloakDirectory, "findByEmail">) {
  return async function emailHeldByForeignAccount(email: string): Promise<boolean> {
    const account = await directory.findByEmail(email);
    return account !== undefined && account.gatehouseId === null;
  };
}
