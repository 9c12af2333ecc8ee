import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import { post } from "./http.js";
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
export function callback(t: TestServer, providerRedirect: URL, path = providerRedirect.pathname): Promise<InjectReply> {
  expect(providerRedirect.origin).toBe(PUBLIC);
  return t.app.inject({ method: "GET", url: `${path}${providerRedirect.search}` });
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
