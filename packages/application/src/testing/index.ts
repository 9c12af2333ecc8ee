export { FakeCache } from "./cache.js";
export { FakeClock } from "./clock.js";
export { credentialFailuresOn, FAILURE_BUDGET } from "./credential-failures.js";
export { InMemoryDatabase, SEEDED_ROLES, type StoredAuditEntry, type StoredUser } from "./database.js";
export { FakeFederatedIdentities } from "./fake-identities.js";
export { FakeMfa } from "./fake-mfa.js";
export { FakeWebAuthnChallenges, FakeWebAuthnCredentials } from "./fake-webauthn.js";
export { caught, LIFECYCLE_POLICY, PASSWORD_POLICY, REFRESH_POLICY, requestContext } from "./fixtures.js";
export { FakeMailer, FakeMailQueue, type FakeQueuedMail } from "./mail.js";
export { FakeJobLock, FakeMaintenanceRepository } from "./maintenance.js";
export { FakeRateLimiter } from "./rate-limiter.js";
export {
  FakeAccessTokens,
  FakeOneTimeSecrets,
  FakeOpaqueTokens,
  FakePasswordHasher,
  FakeSessionRevocations,
} from "./security.js";
export { sessionsOnly } from "./sessions-only.js";
