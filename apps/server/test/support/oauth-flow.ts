import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import { get, post } from "./http.js";
import type { TestOpenIdProvider } from "./oidc-provider.js";
import type { TestServer } from "./test-server.js";

type InjectReply = Awaited<ReturnType<TestServer["app"]["inject"]>>;

/** The public base URL, app URL and callback the federation suites configure (provider `acme`). */
export const PUBLIC = "http://gatehouse.test";
export const APP = "http://app.test/signed-in";
export const CALLBACK = `${PUBLIC}/api/v1/auth/oauth/acme/callback`;

/** The environment enabling the test provider as the OpenID Connect provider `acme`. */
export function envFor(provider: TestOpenIdProvider, extra: Record<string, string> = {}) {
  return {
    PUBLIC_BASE_URL: PUBLIC,
    OAUTH_PROVIDERS: "acme",
    OAUTH_ACME_CLIENT_ID: provider.clientId,
    OAUTH_ACME_CLIENT_SECRET: provider.clientSecret,
    OAUTH_ACME_ISSUER: provider.issuer,
    OAUTH_ALLOWED_REDIRECT_URIS: APP,
    ...extra,
  };
}

/** Starts a sign-in (or, with `path` and `token`, a link) at Gatehouse; answers the provider URL. */
export async function start(
  t: TestServer,
  query = `redirect_uri=${encodeURIComponent(APP)}&state=app-state`,
  options: { path?: string; token?: string } = {},
) {
  const response = await t.app.inject({
    method: "GET",
    url: `${options.path ?? "/api/v1/auth/oauth/acme"}?${query}`,
    headers: options.token === undefined ? {} : { authorization: `Bearer ${options.token}` },
  });
  expect(response.statusCode, response.body).toBe(302);
  return String(response.headers.location);
}

/** Lands the provider's redirect on Gatehouse's callback; answers Gatehouse's reply. */
export function callback(
  t: TestServer,
  providerRedirect: URL,
  path = providerRedirect.pathname,
  cookies: Record<string, string> = {},
): Promise<InjectReply> {
  expect(providerRedirect.origin).toBe(PUBLIC);
  return t.app.inject({ method: "GET", url: `${path}${providerRedirect.search}`, cookies });
}

/** The browser's part from the provider URL on: the user at the provider, then the callback; answers the app URL. */
export async function finish(t: TestServer, provider: TestOpenIdProvider, authorizeUrl: string, subject: string) {
  const reply = await callback(t, await provider.signIn(authorizeUrl, subject));
  expect(reply.statusCode, reply.body).toBe(302);
  return new URL(String(reply.headers.location));
}

/** The whole browser round trip; answers the URL the app receives. */
export async function signIn(
  t: TestServer,
  provider: TestOpenIdProvider,
  subject: string,
  query?: string,
): Promise<URL> {
  return finish(t, provider, await start(t, query), subject);
}

export async function exchange(t: TestServer, code: string, verifier?: string) {
  return post(t, "/api/v1/auth/oauth/token", { code, ...(verifier === undefined ? {} : { code_verifier: verifier }) });
}

export function subject() {
  return `sub-${randomBytes(6).toString("hex")}`;
}

export const IDENTITIES = "/api/v1/users/me/identities";
export const LINK = `${IDENTITIES}/acme/link`;
export const linkQuery = `redirect_uri=${encodeURIComponent(APP)}&state=link-state`;

export interface IdentityView {
  id: string;
  provider: string;
  subject?: string;
  email: string | null;
  linked_at: string;
  last_used_at: string | null;
}

/** A new passwordless user created by signing in with the provider; answers its session. */
export async function federatedUser(t: TestServer, provider: TestOpenIdProvider) {
  const id = subject();
  provider.accounts.set(id, { email: `${id}@example.com`, email_verified: true });
  const tokens = await exchange(t, (await signIn(t, provider, id)).searchParams.get("code") as string);
  expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
  const data = tokens.body.data as { access_token: string; refresh_token: string; user: { id: string } };
  return { subject: id, accessToken: data.access_token, refreshToken: data.refresh_token, userId: data.user.id };
}

export async function identitiesOf(t: TestServer, token: string): Promise<IdentityView[]> {
  const list = await get(t, IDENTITIES, token);
  expect(list.status, JSON.stringify(list.body)).toBe(200);
  return (list.body.data as { items: IdentityView[] }).items;
}

/** The signed-in user links the provider account `sub`; answers the URL the app receives. */
export async function link(t: TestServer, provider: TestOpenIdProvider, session: { accessToken: string }, sub: string) {
  return finish(t, provider, await start(t, linkQuery, { path: LINK, token: session.accessToken }), sub);
}
