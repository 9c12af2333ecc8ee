/** A provider account linked to a Gatehouse user: `(provider, subject)` is unique. */
export interface FederatedIdentity {
  readonly id: string;
  readonly userId: string;
  readonly provider: string;
  /** The provider's stable id of the account (OIDC `sub`, GitHub/Facebook `id`). */
  readonly subject: string;
  /** The address the provider reported when the identity was linked, if any. */
  readonly email: string | null;
  readonly createdAt: Date;
  readonly lastLoginAt: Date | null;
}

/** Who the provider says signed in, after every protocol check passed. */
export interface ProviderProfile {
  readonly subject: string;
  readonly email: string | null;
  /** True only when the provider asserts it verified `email`. */
  readonly emailVerified: boolean;
  readonly name: string | null;
}

/** The server-side record behind one `state`: everything the callback needs, stored until it is consumed. */
export interface AuthorizationState {
  readonly provider: string;
  /** The callback URL sent to the provider (token requests repeat it). */
  readonly callbackUrl: string;
  /** The app URL that receives the result (already checked against the allow-list). */
  readonly redirectUri: string;
  /** The app's own `state`, handed back untouched. */
  readonly appState: string | null;
  /** The app's PKCE challenge (S256) the one-time code is bound to, if it sent one. */
  readonly appCodeChallenge: string | null;
  readonly codeVerifier: string;
  readonly nonce: string | null;
  /** Set when a signed-in user links a provider instead of signing in. */
  readonly linkUserId: string | null;
  /**
   * The hash of a secret the starting browser keeps in a cookie, when the start came from one
   * (the hosted account page's link): the callback must present it, so a provider URL sent to
   * someone else cannot finish the flow in their browser (linking their provider account to the
   * starter's user).
   */
  readonly bindingHash: string | null;
  readonly expiresAt: Date;
}

/** The one-time code an app exchanges for a token pair. */
export interface HandoffCode {
  readonly userId: string;
  readonly provider: string;
  readonly codeChallenge: string | null;
  readonly expiresAt: Date;
}

/** How long a `state` lives (the user has this long at the provider). */
export const AUTHORIZATION_STATE_TTL_MS = 10 * 60 * 1000;
/** How long the app has to exchange its one-time code. */
export const HANDOFF_CODE_TTL_MS = 60 * 1000;
