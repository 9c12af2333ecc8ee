import { randomUUID } from "node:crypto";
import type { FederationUseCases } from "@gatehouse/api";
import { makeCompleteFederatedLogin, makeExchangeHandoffCode, makeStartFederatedLogin } from "@gatehouse/application";
import { makeFederationUnitOfWork, makeOpenIdIdentityProviders, opaqueTokens } from "@gatehouse/infrastructure";
import type { Wiring } from "./wiring.js";

/** Federated login on openid-client; without OAUTH_PROVIDERS there are no routes at all. */
export function wireFederation(w: Wiring): FederationUseCases | undefined {
  const { federation } = w.config;
  if (federation.providers.length === 0) return undefined;
  const providers = makeOpenIdIdentityProviders(federation);
  const federationUow = makeFederationUnitOfWork(w.database.db);
  const { clock, accessTokens } = w;
  return {
    startFederatedLogin: makeStartFederatedLogin({
      providers,
      federationUow,
      opaqueTokens,
      clock,
      federation: {
        publicBaseUrl: w.policies.lifecycle.publicBaseUrl,
        redirects: { uris: federation.allowedRedirectUris, origins: federation.allowedRedirectOrigins },
      },
    }),
    completeFederatedLogin: makeCompleteFederatedLogin({
      providers,
      federationUow,
      opaqueTokens,
      clock,
      requireAdminApproval: w.policies.lifecycle.requireAdminApproval,
      newId: randomUUID,
    }),
    exchangeHandoffCode: makeExchangeHandoffCode({
      federationUow,
      providers,
      opaqueTokens,
      accessTokens,
      clock,
      refreshPolicy: w.policies.refresh,
    }),
  };
}
