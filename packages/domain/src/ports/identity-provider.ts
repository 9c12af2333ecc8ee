import type { ProviderProfile } from "../federation/federated-identity.js";

/** What a provider needs to send the user back: the URL to visit and the secrets the callback checks. */
export interface AuthorizationRequest {
  readonly url: URL;
  /** Random `state`, single use; the caller stores only its hash. */
  readonly state: string;
  readonly codeVerifier: string;
  /** Null for plain OAuth 2 providers, which have no ID token to carry it. */
  readonly nonce: string | null;
}

/** What the callback checks the provider's answer against. */
export interface AuthorizationExpectation {
  readonly state: string;
  readonly codeVerifier: string;
  readonly nonce: string | null;
  readonly callbackUrl: string;
}

/**
 * One external sign-in provider (an OpenID Connect issuer, or an OAuth 2 API such as GitHub's).
 * The adapter owns the protocol: random state, PKCE S256, nonce, the code exchange and, for
 * OpenID Connect, the ID token's signature (the issuer's JWKS), `iss`, `aud`, `exp` and `nonce`.
 */
export interface IdentityProvider {
  readonly name: string;
  /**
   * A fresh authorization request: the provider URL to redirect to, with the callback URL and the
   * generated state, PKCE challenge and nonce in it.
   * @throws Error when the provider's metadata cannot be fetched (discovery).
   */
  authorize(callbackUrl: string): Promise<AuthorizationRequest>;
  /**
   * Completes the flow from the callback's query: checks the state, exchanges the code with the
   * verifier, validates the ID token and reads the profile.
   * @throws FederationFailure for anything the provider or the user did wrong.
   */
  complete(query: URLSearchParams, expected: AuthorizationExpectation): Promise<ProviderProfile>;
}

/** The enabled providers, by name. */
export interface IdentityProviders {
  get(name: string): IdentityProvider | undefined;
  readonly names: readonly string[];
  /** The S256 challenge of a PKCE verifier (RFC 7636), to check an app's verifier. */
  codeChallengeOf(verifier: string): Promise<string>;
}

/** Why a provider's callback did not yield a profile; `reason` is safe to send to the app and the audit log. */
export class FederationFailure extends Error {
  override readonly name = "FederationFailure";
  constructor(
    /** `access_denied` and the provider's other `error` values, or `provider_failed`, `email_missing`. */
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}
