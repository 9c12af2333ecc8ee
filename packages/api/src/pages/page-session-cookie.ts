import type { PageSession, ResolvePageSession } from "@gatehouse/application";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { AppOptions, PagesOptions } from "../app-deps.js";
import { cookieValue } from "../http/request-context.js";
import type { NoticeKey } from "./messages.js";
import { cookieName } from "./page-security.js";

/** Where the pages keep their session's secret: HttpOnly, so no page script ever reads it. */
export interface PageCookies {
  readonly session: string;
  readonly secure: boolean;
}

/** Secure cookies when this server speaks TLS or is reached over HTTPS (TLS at a proxy). */
export function pageCookies(
  options: Pick<AppOptions, "https">,
  brand: Pick<PagesOptions, "publicBaseUrl">,
): PageCookies {
  const secure = options.https !== undefined || brand.publicBaseUrl.startsWith("https:");
  return { session: cookieName("gh_session", secure), secure };
}

/** Sets the session cookie for `maxAgeSeconds` (the session token's own lifetime). */
export function setSessionCookie(reply: FastifyReply, cookies: PageCookies, secret: string, maxAgeSeconds: number) {
  reply.setCookie(cookies.session, secret, {
    path: "/",
    httpOnly: true,
    sameSite: "lax",
    secure: cookies.secure,
    maxAge: maxAgeSeconds,
  });
}

export function clearSessionCookie(reply: FastifyReply, cookies: PageCookies) {
  reply.clearCookie(cookies.session, { path: "/", httpOnly: true, sameSite: "lax", secure: cookies.secure });
}

/**
 * Resolves the cookie's session of routes declared with `pageSession: true` and keeps it on the
 * request, once per request: registered between the auth hook and the rate limit, so the limiter
 * counts a signed-in page like a token's API request (per user), and the page reuses the answer.
 * A missing, ended or made-up cookie is null: the request counts as anonymous and the page asks
 * to sign in, the same answer whatever the cookie held.
 */
export function makePageSessionHook(cookies: PageCookies, resolve: ResolvePageSession) {
  return async function pageSessionHook(request: FastifyRequest): Promise<void> {
    if (request.routeOptions.config.pageSession !== true) return;
    const secret = cookieValue(request.headers.cookie, cookies.session);
    request.pageSession = (secret === undefined ? undefined : await resolve(secret)) ?? null;
  };
}

/** The live session the request's cookie names, or undefined (no cookie, or the session ended). */
export function currentPageSession(request: FastifyRequest): PageSession | undefined {
  if (request.routeOptions.config.pageSession !== true)
    throw new Error(`route ${request.routeOptions.url} read the page session without pageSession: true`);
  return request.pageSession ?? undefined;
}

/**
 * The signed-in session of a page that needs one, or undefined after sending the browser to
 * `/login` (and dropping a cookie whose session ended anywhere).
 */
export async function requirePageSession(
  request: FastifyRequest,
  reply: FastifyReply,
  cookies: PageCookies,
  notice?: NoticeKey,
): Promise<PageSession | undefined> {
  const session = currentPageSession(request);
  if (session !== undefined) return session;
  await sendToLogin(reply, cookies, notice);
  return undefined;
}

/** Drops the session cookie and sends the browser to `/login` (with `notice`, when given). */
export function sendToLogin(reply: FastifyReply, cookies: PageCookies, notice?: NoticeKey): FastifyReply {
  clearSessionCookie(reply, cookies);
  return reply.redirect(notice === undefined ? "/login" : `/login?notice=${notice}`, 303);
}
