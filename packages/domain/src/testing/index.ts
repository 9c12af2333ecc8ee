/**
 * Port contracts for tests (`@gatehouse/domain/testing`): each runs one port's cases against
 * an adapter given an `open()` factory, so the Drizzle adapters and the in-memory fakes are
 * held to the same behaviour. Imports vitest: for test code only.
 */

export { chatPresenceBoardContract, type PresenceBoardHarness } from "./chat-presence-board-contract.js";
export { deviceTokenContract } from "./device-token-contract.js";
export {
  type FederationHarness,
  federatedIdentityRepositoryContract,
  type OpenFederationHarness,
} from "./federated-identity-repository-contract.js";
export {
  type ContractHarness,
  type ContractOptions,
  newUserInput,
  type OpenHarness,
  UNSUPPORTED_IN_FAKE,
} from "./harness.js";
export { type MfaHarness, mfaRepositoryContract, type OpenMfaHarness } from "./mfa-repository-contract.js";
export { oneTimeCodeContract } from "./one-time-code-contract.js";
export { refreshTokenRepositoryContract } from "./refresh-token-repository-contract.js";
export { roleRepositoryContract } from "./role-repository-contract.js";
export { userRepositoryContract } from "./user-repository-contract.js";
export {
  type ChallengeStoreHarness,
  type CredentialRepositoryHarness,
  webAuthnChallengeStoreContract,
  webAuthnCredentialRepositoryContract,
} from "./webauthn-contract.js";
