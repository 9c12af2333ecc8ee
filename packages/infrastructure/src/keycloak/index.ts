export { KeycloakAccessTokens } from "./keycloak-access-tokens.js";
export { KeycloakAdminDirectory, type KeycloakAdminSettings } from "./keycloak-directory.js";
export { KeycloakError, type KeycloakErrorKind, toDomainError } from "./keycloak-error.js";
export { KeycloakTokenEndpoint } from "./keycloak-sign-in.js";
export { type KeycloakAdapters, makeKeycloakAdapters } from "./make-keycloak-adapters.js";
export { ServiceAccountToken } from "./service-account-token.js";
