import { randomUUID } from "node:crypto";
import type { FederationUseCases, IdentityUseCases } from "@gatehouse/api";
import {
  makeCompleteFederatedLogin,
  makeExchangeHandoffCode,
  makeListIdentities,
  makeStartFederatedLogin,
  makeUnlinkIdentity,
  makeUnlinkUserIdentity,
  pagesReturnUrlOf,
} from "@gatehouse/application";
import type { IdentityProviders } from "@gatehouse/domain";
import { makeFederationUnitOfWork, makeOpenIdIdentityProviders, opaqueTokens } from "@gatehouse/infrastructure";
import { mfaRepositoryOf } from "./mfa.js";
import { traced } from "./tracing.js";
import type { Wiring } from "./wiring.js";

/** Each provider's discovery, authorization and code exchange in a span `oauth.{name}.*` when tracing is on. */
function tracedProviders(w: Wiring, providers: IdentityProviders): IdentityProviders {
  if (w.config.observability.tracing === undefined) return providers;
  const wrapped = new Map(
    providers.names.map((name) => {
      const provider = providers.get(name);
      return [name, provider && traced(w.config, provider, `oauth.${name}`, ["authorize", "complete"])] as const;
    }),
  );
  return {
    names: providers.names,
    get: (name) => wrapped.get(name),
    codeChallengeOf: (v) => providers.codeChallengeOf(v),
  };
}

/** Federated login on openid-client; without OAUTH_PROVIDERS there are no routes at all. */
export function wireFederation(w: Wiring): FederationUseCases | undefined {
  const { federation } = w.config;
  if (federation.providers.length === 0) return undefined;
  const providers = tracedProviders(w, makeOpenIdIdentityProviders(federation));
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
        redirects: {
          // The hosted pages' own buttons land on /login/federated (README "Hosted pages").
          uris: w.config.pages.enabled
            ? [...federation.allowedRedirectUris, pagesReturnUrlOf(w.policies.lifecycle.publicBaseUrl)]
            : federation.allowedRedirectUris,
          origins: federation.allowedRedirectOrigins,
        },
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
      mfa: mfaRepositoryOf(w),
      mfaPolicy: w.config.mfa.policy,
    }),
  };
}

/**
 * Listing and unlinking identities need only the database, so they stay wired with no provider
 * enabled: identities linked while a provider was on can still be seen and removed.
 */
export function wireIdentities(w: Wiring): IdentityUseCases {
  const federationUow = makeFederationUnitOfWork(w.database.db);
  const deps = { federationUow, clock: w.clock };
  return {
    listIdentities: makeListIdentities(deps),
    unlinkIdentity: makeUnlinkIdentity(deps),
    unlinkUserIdentity: makeUnlinkUserIdentity(deps),
  };
}
