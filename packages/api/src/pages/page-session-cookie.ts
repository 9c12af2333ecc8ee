import type { PageSession, ResolvePageSession } from "@gatehouse/application";
import type { FastifyReply, FastifyRequest } from "fastify";
import { cookieName } from "./page-security.js";

/** Where the pages keep their session's secret: HttpOnly, so no page script ever reads it. */
export interface PageCookies {
  readonly session: string;
  readonly secure: boolean;
}

export function pageCookies(secure: boolean): PageCookies {
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

/** The live session the request's cookie names, or undefined (no cookie, or the session ended). */
export async function currentPageSession(
  request: FastifyRequest,
  cookies: PageCookies,
  resolve: ResolvePageSession,
): Promise<PageSession | undefined> {
  const secret = request.cookies[cookies.session];
  return secret === undefined ? undefined : resolve(secret);
}

/**
 * The signed-in session of a page that needs one, or undefined after sending the browser to
 * `/login` (and dropping a cookie whose session ended anywhere).
 */
export async function requirePageSession(
  request: FastifyRequest,
  reply: FastifyReply,
  cookies: PageCookies,
  resolve: ResolvePageSession,
): Promise<PageSession | undefined> {
  const session = await currentPageSession(request, cookies, resolve);
  if (session !== undefined) return session;
  clearSessionCookie(reply, cookies);
  await reply.redirect("/login", 303);
  return undefined;
}
