/** A Keycloak account as Gatehouse reads it back. */
export interface KeycloakAccount {
  readonly id: string;
  readonly username: string;
  readonly email: string | null;
  readonly enabled: boolean;
  readonly emailVerified: boolean;
  /**
   * The Gatehouse user id Gatehouse stamped on the account (attribute `gatehouse_id`) when it
   * created it; null for an account Gatehouse did not create, which it never overwrites.
   */
  readonly gatehouseId: string | null;
}

/**
 * What a Keycloak account should hold, derived from the local row: Keycloak 26's user profile
 * requires first and last names, so both are always given.
 */
export interface KeycloakAccountState {
  readonly gatehouseId: string;
  readonly username: string;
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly enabled: boolean;
  readonly emailVerified: boolean;
}

/**
 * The realm's users as the Keycloak sync and the flows need them (admin REST with the service
 * account). Every method throws DomainError IDENTITY_BACKEND_UNAVAILABLE when Keycloak cannot be
 * reached, times out or answers 5xx; Keycloak's own messages never reach a client.
 */
export interface KeycloakDirectory {
  /** The account holding this email exactly, if any. */
  findByEmail(email: string): Promise<KeycloakAccount | undefined>;
  /**
   * The account Gatehouse created for this user (attribute `gatehouse_id`), if any: how the sync
   * finds an account whose id the local row never learnt (a crash right after the create).
   */
  findByGatehouseId(gatehouseId: string): Promise<KeycloakAccount | undefined>;
  /** The account with this id, if it still exists. */
  find(id: string): Promise<KeycloakAccount | undefined>;
  /**
   * One page of the realm's accounts, attributes included (`first` skipped, at most `max`), in
   * Keycloak's order: how the reconciliation walks the realm without holding it all. An empty or
   * short page is the end; accounts created or deleted between pages may shift the offsets.
   */
  list(first: number, max: number): Promise<KeycloakAccount[]>;
  /**
   * Creates the account (the password as a non-temporary credential) and answers its id.
   * @throws DomainError DUPLICATE_EMAIL when Keycloak answers 409 (email or username taken).
   */
  create(state: KeycloakAccountState, password: string | undefined): Promise<string>;
  /**
   * Writes the account's state and clears its required actions in the same PUT, so a
   * REST-created account never keeps a `VERIFY_EMAIL` action that fails the password grant.
   * @throws DomainError USER_NOT_FOUND when the account is gone.
   */
  update(id: string, state: KeycloakAccountState): Promise<void>;
  /** Deletes the account; an account already gone is fine. */
  remove(id: string): Promise<void>;
  /** Ends every Keycloak session of the account; a gone account is fine. */
  logOutEverywhere(id: string): Promise<void>;
  /** Sets a non-temporary password. @throws DomainError USER_NOT_FOUND when the account is gone. */
  setPassword(id: string, password: string): Promise<void>;
}
