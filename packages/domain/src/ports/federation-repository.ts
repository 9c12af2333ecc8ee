import type { AuthorizationState, FederatedIdentity, HandoffCode } from "../federation/federated-identity.js";
import type { TransactionalRepositories } from "./unit-of-work.js";

/** Linked provider accounts. */
export interface FederatedIdentityRepository {
  /** The identity of this provider account, if linked. */
  findBySubject(provider: string, subject: string): Promise<FederatedIdentity | undefined>;
  /** The user's identities, oldest first. */
  listForUser(userId: string): Promise<FederatedIdentity[]>;
  /**
   * Links a provider account to a user.
   * @throws DomainError IDENTITY_ALREADY_LINKED when `(provider, subject)` is linked already,
   *   including by a concurrent link that won.
   */
  link(identity: {
    userId: string;
    provider: string;
    subject: string;
    email: string | null;
    at: Date;
  }): Promise<FederatedIdentity>;
  /** Stamps a sign-in. */
  touch(id: string, at: Date): Promise<void>;
  /** Removes the identity if it belongs to `userId`; false when there is no such identity. */
  unlink(id: string, userId: string): Promise<boolean>;
}

/**
 * The short-lived records of a flow, stored under the hash of their secret. Consuming is one
 * atomic delete-and-return, so of two concurrent callbacks (or exchanges) only one gets the record.
 */
export interface FederationFlowRepository {
  saveState(stateHash: string, state: AuthorizationState, now: Date): Promise<void>;
  /** Deletes and returns the record, expired or not (the caller judges expiry). */
  consumeState(stateHash: string): Promise<AuthorizationState | undefined>;
  saveHandoff(codeHash: string, code: HandoffCode, now: Date): Promise<void>;
  /** Deletes and returns the record, expired or not. */
  consumeHandoff(codeHash: string): Promise<HandoffCode | undefined>;
}

/** The repositories of one transaction, with the federation ones. */
export interface FederationRepositories extends TransactionalRepositories {
  readonly identities: FederatedIdentityRepository;
  readonly federationFlows: FederationFlowRepository;
}

/** Runs work in one transaction that also reaches the federation tables. */
export interface FederationUnitOfWork {
  run<T>(work: (repos: FederationRepositories) => Promise<T>): Promise<T>;
}
