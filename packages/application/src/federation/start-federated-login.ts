import {
  AUTHORIZATION_STATE_TTL_MS,
  type Clock,
  DomainError,
  type FederationUnitOfWork,
  type IdentityProviders,
  type OpaqueTokens,
} from "@gatehouse/domain";

/** Which app URLs may receive a sign-in result. */
export interface RedirectAllowList {
  /** Compared exactly (after URL normalization). */
  readonly uris: readonly string[];
  /** Any URL of these origins. */
  readonly origins: readonly string[];
}

export interface FederationPolicy {
  /** The callback URL is built from this, never from the request's Host. */
  readonly publicBaseUrl: string;
  readonly redirects: RedirectAllowList;
}

export interface StartFederatedLoginInput {
  readonly provider: string;
  readonly redirectUri: string;
  readonly appState?: string;
  /** The app's PKCE S256 challenge; the one-time code then needs its verifier. */
  readonly codeChallenge?: string;
  /** Set to link the provider to this signed-in user instead of signing in. */
  readonly linkUserId?: string;
  /** A secret the starting browser keeps (a cookie): the callback must present it (`bindingHash`). */
  readonly browserBinding?: string;
}

export interface StartFederatedLoginDeps {
  readonly providers: IdentityProviders;
  readonly federationUow: FederationUnitOfWork;
  readonly opaqueTokens: Pick<OpaqueTokens, "hash">;
  readonly clock: Clock;
  readonly federation: FederationPolicy;
}

/** The one callback every provider is registered with. */
export function callbackUrlOf(publicBaseUrl: string, provider: string): string {
  return `${publicBaseUrl}/api/v1/auth/oauth/${encodeURIComponent(provider)}/callback`;
}

/**
 * Where the hosted pages' own sign-in buttons get their result (`GET /login/federated`): the
 * wiring adds it to the allow-list when the pages are on, so no configuration names it.
 */
export function pagesReturnUrlOf(publicBaseUrl: string): string {
  return new URL(`${publicBaseUrl}/login/federated`).href;
}

function allowedRedirect(redirectUri: string, allowed: RedirectAllowList): string {
  let url: URL;
  try {
    url = new URL(redirectUri);
  } catch {
    throw new DomainError("OAUTH_REDIRECT_URI_NOT_ALLOWED");
  }
  const exact = allowed.uris.includes(url.href);
  const byOrigin = url.username === "" && url.password === "" && allowed.origins.includes(url.origin);
  if (!exact && !byOrigin) throw new DomainError("OAUTH_REDIRECT_URI_NOT_ALLOWED");
  return url.href;
}

/**
 * Step 1: checks the app's redirect_uri before the provider is contacted (no open redirect),
 * asks the provider adapter for a fresh request (state, PKCE, nonce) and stores what the callback
 * needs under the state's hash. Answers the provider URL to redirect to.
 */
export function makeStartFederatedLogin(deps: StartFederatedLoginDeps) {
  return async function startFederatedLogin(input: StartFederatedLoginInput): Promise<URL> {
    const provider = deps.providers.get(input.provider);
    if (provider === undefined) throw new DomainError("OAUTH_PROVIDER_NOT_FOUND");
    const redirectUri = allowedRedirect(input.redirectUri, deps.federation.redirects);
    if (input.codeChallenge !== undefined && !/^[A-Za-z0-9_-]{43}$/.test(input.codeChallenge)) {
      throw new DomainError("VALIDATION_ERROR", "code_challenge must be an S256 challenge (43 base64url characters)", [
        { field: "code_challenge", message: "must be 43 base64url characters" },
      ]);
    }
    const callbackUrl = callbackUrlOf(deps.federation.publicBaseUrl, provider.name);
    const request = await provider.authorize(callbackUrl);
    const now = deps.clock.now();
    await deps.federationUow.run((tx) =>
      tx.federationFlows.saveState(
        deps.opaqueTokens.hash(request.state),
        {
          provider: provider.name,
          callbackUrl,
          redirectUri,
          appState: input.appState ?? null,
          appCodeChallenge: input.codeChallenge ?? null,
          codeVerifier: request.codeVerifier,
          nonce: request.nonce,
          linkUserId: input.linkUserId ?? null,
          bindingHash: input.browserBinding === undefined ? null : deps.opaqueTokens.hash(input.browserBinding),
          expiresAt: new Date(now.getTime() + AUTHORIZATION_STATE_TTL_MS),
        },
        now,
      ),
    );
    return request.url;
  };
}

export type StartFederatedLogin = ReturnType<typeof makeStartFederatedLogin>;
