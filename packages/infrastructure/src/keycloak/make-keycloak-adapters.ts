import type { KeycloakDirectory, KeycloakSignIn } from "@gatehouse/domain";
import type { KeycloakConfig } from "../config/keycloak-config.js";
import { KeycloakAdminDirectory } from "./keycloak-directory.js";
import { KeycloakTokenEndpoint } from "./keycloak-sign-in.js";
import { ServiceAccountToken } from "./service-account-token.js";

export interface KeycloakAdapters {
  readonly directory: KeycloakDirectory;
  readonly signIn: KeycloakSignIn;
  /** The service-account token manager (readiness reads it; tests count its requests). */
  readonly serviceAccount: ServiceAccountToken;
  /** One cheap call proving Keycloak answers and accepts the service account (readiness). */
  probe(): Promise<void>;
}

/** The Keycloak adapters for one configuration: one token manager shared by every admin call. */
export function makeKeycloakAdapters(config: KeycloakConfig): KeycloakAdapters {
  const serviceAccount = new ServiceAccountToken({
    tokenUrl: `${config.issuer}/protocol/openid-connect/token`,
    clientId: config.adminClientId,
    clientSecret: config.adminClientSecret,
    expiryBufferSeconds: config.tokenExpiryBufferSeconds,
    timeoutMs: config.timeoutMs,
  });
  const directory = new KeycloakAdminDirectory(
    { url: config.url, realm: config.realm, timeoutMs: config.timeoutMs },
    serviceAccount,
  );
  return {
    directory,
    signIn: new KeycloakTokenEndpoint({
      issuer: config.issuer,
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      timeoutMs: config.timeoutMs,
    }),
    serviceAccount,
    async probe() {
      await serviceAccount.get();
    },
  };
}
