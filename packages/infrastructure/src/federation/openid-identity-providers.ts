import {
  type AuthorizationExpectation,
  DomainError,
  FederationFailure,
  type IdentityProvider,
  type IdentityProviders,
  type ProviderProfile,
} from "@gatehouse/domain";
import * as client from "openid-client";
import type { FederationConfig, FederationProviderConfig } from "../config/federation-config.js";

/** Every provider call ends within this bound (openid-client's own timeout is 30 s). */
const PROVIDER_TIMEOUT_SECONDS = 10;
/** Provider `error` values passed on to the app as they are; anything else is `provider_failed`. */
const PROVIDER_ERRORS = new Set(["access_denied", "login_required", "consent_required", "interaction_required"]);

type Options = { readonly allowInsecure: boolean };

function prepare(config: client.Configuration, options: Options): void {
  config.timeout = PROVIDER_TIMEOUT_SECONDS;
  if (options.allowInsecure) client.allowInsecureRequests(config);
}

/** Discovery once, retried on the next sign-in when it failed (a provider down at start does not stop the server). */
function lazily(load: () => Promise<client.Configuration>): () => Promise<client.Configuration> {
  let pending: Promise<client.Configuration> | undefined;
  return () => {
    pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw Object.assign(new DomainError("OAUTH_PROVIDER_UNAVAILABLE"), { cause: error });
    });
    return pending;
  };
}

function callbackQuery(callbackUrl: string, query: URLSearchParams): URL {
  const url = new URL(callbackUrl);
  for (const [key, value] of query) url.searchParams.append(key, value);
  return url;
}

/** The protocol checks failed or the provider misbehaved: one reason for the app, the detail for the log. */
function failure(error: unknown): FederationFailure {
  if (error instanceof FederationFailure) return error;
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new FederationFailure("provider_failed", message);
}

function asVerified(value: unknown): boolean {
  return value === true || value === "true";
}

function asText(value: unknown): string | null {
  return typeof value === "string" && value.length > 0 ? value : null;
}

async function readJson(response: Response, what: string): Promise<unknown> {
  if (!response.ok) throw new FederationFailure("provider_failed", `${what} answered ${response.status}`);
  return response.json();
}

interface Protocol {
  readonly nonce: boolean;
  profile(
    config: client.Configuration,
    tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers,
  ): Promise<ProviderProfile>;
}

function makeProvider(
  name: string,
  scopes: readonly string[],
  configuration: () => Promise<client.Configuration>,
  protocol: Protocol,
): IdentityProvider {
  return {
    name,
    async authorize(callbackUrl) {
      const config = await configuration();
      const codeVerifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = protocol.nonce ? client.randomNonce() : null;
      const parameters: Record<string, string> = {
        redirect_uri: callbackUrl,
        scope: scopes.join(" "),
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: "S256",
        state,
      };
      if (nonce !== null) parameters.nonce = nonce;
      return { url: client.buildAuthorizationUrl(config, parameters), state, codeVerifier, nonce };
    },
    async complete(query, expected: AuthorizationExpectation) {
      const error = query.get("error");
      if (error !== null) {
        throw new FederationFailure(PROVIDER_ERRORS.has(error) ? error : "provider_failed", `provider error ${error}`);
      }
      const config = await configuration();
      try {
        const tokens = await client.authorizationCodeGrant(config, callbackQuery(expected.callbackUrl, query), {
          pkceCodeVerifier: expected.codeVerifier,
          expectedState: expected.state,
          ...(expected.nonce === null ? {} : { expectedNonce: expected.nonce, idTokenExpected: true }),
        });
        return await protocol.profile(config, tokens);
      } catch (caught) {
        throw failure(caught);
      }
    },
  };
}

/** OpenID Connect: discovery, and the ID token's signature checked against the issuer's JWKS. */
function openIdProvider(provider: FederationProviderConfig & { kind: "oidc" }, options: Options): IdentityProvider {
  const configuration = lazily(async () => {
    const config = await client.discovery(
      new URL(provider.issuer),
      provider.clientId,
      provider.clientSecret,
      undefined,
      {
        execute: options.allowInsecure ? [client.allowInsecureRequests] : [],
        timeout: PROVIDER_TIMEOUT_SECONDS,
      },
    );
    prepare(config, options);
    // openid-client trusts TLS for an ID token from the token endpoint unless told otherwise.
    client.enableNonRepudiationChecks(config);
    return config;
  });
  return makeProvider(provider.name, provider.scopes, configuration, {
    nonce: true,
    async profile(config, tokens) {
      const claims = tokens.claims();
      if (claims === undefined) throw new FederationFailure("provider_failed", "no ID token");
      let source: Record<string, unknown> = claims;
      if (asText(claims.email) === null) {
        source = { ...(await client.fetchUserInfo(config, tokens.access_token, claims.sub)), ...claims };
      }
      return {
        subject: claims.sub,
        email: asText(source.email)?.toLowerCase() ?? null,
        emailVerified: asVerified(source.email_verified),
        name: asText(source.name),
      };
    },
  });
}

/** GitHub and Facebook: plain OAuth 2 with fixed endpoints, then their user APIs. */
function oauth2Provider(
  provider: FederationProviderConfig & { kind: "github" | "facebook" },
  options: Options,
): IdentityProvider {
  const config = new client.Configuration(
    {
      issuer: new URL(provider.authorizationUrl).origin,
      authorization_endpoint: provider.authorizationUrl,
      token_endpoint: provider.tokenUrl,
    },
    provider.clientId,
    provider.clientSecret,
  );
  prepare(config, options);
  const get = async (accessToken: string, url: string) => {
    const headers = new Headers({ accept: "application/json", "user-agent": "gatehouse" });
    const response = await client.fetchProtectedResource(config, accessToken, new URL(url), "GET", undefined, headers);
    return readJson(response, url);
  };
  return makeProvider(provider.name, provider.scopes, async () => config, {
    nonce: false,
    async profile(_config, tokens) {
      const user = (await get(tokens.access_token, provider.userinfoUrl)) as Record<string, unknown>;
      const id = user.id;
      if (typeof id !== "number" && typeof id !== "string") {
        throw new FederationFailure("provider_failed", "the user API returned no id");
      }
      if (provider.kind === "github" && provider.emailsUrl !== undefined) {
        const emails = (await get(tokens.access_token, provider.emailsUrl)) as unknown;
        const primary = Array.isArray(emails)
          ? (emails as Array<Record<string, unknown>>).find(
              (entry) => entry.primary === true && entry.verified === true,
            )
          : undefined;
        return {
          subject: String(id),
          email: asText(primary?.email)?.toLowerCase() ?? null,
          emailVerified: primary !== undefined,
          name: asText(user.name) ?? asText(user.login),
        };
      }
      // Graph does not say whether the address was confirmed, so it is never treated as verified.
      return {
        subject: String(id),
        email: asText(user.email)?.toLowerCase() ?? null,
        emailVerified: false,
        name: asText(user.name),
      };
    },
  });
}

/** The enabled providers on openid-client, one adapter shape for all of them. */
export function makeOpenIdIdentityProviders(federation: FederationConfig): IdentityProviders {
  const options = { allowInsecure: federation.allowInsecure };
  const providers = new Map<string, IdentityProvider>(
    federation.providers.map((provider) => [
      provider.name,
      provider.kind === "oidc" ? openIdProvider(provider, options) : oauth2Provider(provider, options),
    ]),
  );
  return {
    get: (name) => providers.get(name),
    names: [...providers.keys()],
    codeChallengeOf: (verifier) => client.calculatePKCECodeChallenge(verifier),
  };
}
