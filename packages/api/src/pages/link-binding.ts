import { randomBytes } from "node:crypto";
import { AUTHORIZATION_STATE_TTL_MS } from "@gatehouse/domain";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { AppOptions } from "../app-deps.js";
import { cookieValue } from "../http/request-context.js";
import { cookieName } from "./page-security.js";
import { pageCookies } from "./page-session-cookie.js";

/**
 * A link the account page starts is bound to the browser that started it: a random secret in an
 * HttpOnly cookie, its hash in the state record. The provider's callback (an API route, where no
 * cookie plugin runs) presents the cookie, so a provider URL handed to someone else cannot end in
 * their browser with their provider account linked to the starter's user.
 */
function bindingCookie(secure: boolean): string {
  return cookieName("gh_link", secure);
}

const cookieOptions = (secure: boolean) => ({ path: "/", httpOnly: true, sameSite: "lax", secure }) as const;

/** A fresh binding for the link about to start, set on this answer; pass it to the start use case. */
export function bindLinkToBrowser(reply: FastifyReply, secure: boolean): string {
  const binding = randomBytes(32).toString("base64url");
  reply.setCookie(bindingCookie(secure), binding, {
    ...cookieOptions(secure),
    maxAge: AUTHORIZATION_STATE_TTL_MS / 1000,
  });
  return binding;
}

/** Drops the binding once the link's outcome is shown (it was good for one state anyway). */
export function clearLinkBinding(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(bindingCookie(secure), cookieOptions(secure));
}

/** The binding the callback's browser presents; undefined without hosted pages (nothing binds then). */
export function presentedLinkBinding(request: FastifyRequest, options: AppOptions): string | undefined {
  if (options.pages === undefined) return undefined;
  return cookieValue(request.headers.cookie, bindingCookie(pageCookies(options, options.pages).secure));
}
