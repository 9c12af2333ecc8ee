import type { HealthProbe, KeycloakDirectory, KeycloakSignIn } from "@gatehouse/domain";
import type { KeycloakConfig } from "../config/keycloak-config.js";
import { KeycloakAdminDirectory } from "./keycloak-directory.js";
import { KeycloakError } from "./keycloak-error.js";
import { keycloakFetch } from "./keycloak-http.js";
import { KeycloakTokenEndpoint } from "./keycloak-sign-in.js";
import { ServiceAccountToken } from "./service-account-token.js";

export interface KeycloakAdapters {
  readonly directory: KeycloakDirectory;
  readonly signIn: KeycloakSignIn;
  /** The service-account token manager (readiness reads it; tests count its requests). */
  readonly serviceAccount: ServiceAccountToken;
  /** Readiness: the realm answers (its public endpoint, bounded by KEYCLOAK_TIMEOUT_MS). */
  readonly probe: HealthProbe;
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
    probe: {
      name: "keycloak",
      async ping() {
        const response = await keycloakFetch(config.issuer, { method: "GET" }, config.timeoutMs);
        if (response.status !== 200) throw new KeycloakError("config", `the realm answered ${response.status}`);
      },
      async details() {
        return { realm: config.realm, service_account_token_requests: serviceAccount.requests };
      },
    },
  };
}
