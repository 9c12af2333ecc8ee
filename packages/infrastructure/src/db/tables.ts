// Every table in one namespace and the drizzle schema object: the relational query API and the
// query metrics see each table, whichever file declares it.

import {
  auditLogs,
  deviceTokens,
  mailOutbox,
  mailThrottle,
  oneTimeCodes,
  permissions,
  refreshTokens,
  rolePermissions,
  roles,
  userRoles,
  users,
} from "./schema.js";
import { chatMessages, chatRoomMembers, chatRooms } from "./schema-chat.js";
import { keycloakSessions, keycloakSyncOperations } from "./schema-keycloak.js";
import { mfaChallenges, mfaFactors, mfaRecoveryCodes, sessionAssurance } from "./schema-mfa.js";
import { rateLimitRefusals } from "./schema-rate-limit.js";
import { federatedIdentities, oauthHandoffCodes, oauthStates, signingKeys } from "./schema-sign-in.js";
import { webauthnChallenges, webauthnCredentials } from "./schema-webauthn.js";

export * from "./schema.js";
export * from "./schema-chat.js";
export * from "./schema-keycloak.js";
export * from "./schema-mfa.js";
export * from "./schema-rate-limit.js";
export * from "./schema-sign-in.js";
export * from "./schema-webauthn.js";

export const schema = {
  users,
  roles,
  permissions,
  rolePermissions,
  userRoles,
  refreshTokens,
  auditLogs,
  mailOutbox,
  oneTimeCodes,
  deviceTokens,
  mailThrottle,
  chatRooms,
  chatRoomMembers,
  chatMessages,
  federatedIdentities,
  oauthStates,
  keycloakSyncOperations,
  keycloakSessions,
  oauthHandoffCodes,
  signingKeys,
  mfaFactors,
  mfaRecoveryCodes,
  mfaChallenges,
  sessionAssurance,
  webauthnCredentials,
  webauthnChallenges,
  rateLimitRefusals,
};
export type Schema = typeof schema;
