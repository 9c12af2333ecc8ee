import { fileURLToPath } from "node:url";
import fastifyCookie from "@fastify/cookie";
import fastifyCsrf from "@fastify/csrf-protection";
import fastifyFormbody from "@fastify/formbody";
import fastifyStatic from "@fastify/static";
import fastifyView from "@fastify/view";
import { ERROR_TABLE } from "@gatehouse/domain";
import { Eta } from "eta";
import type { FastifyInstance } from "fastify";
import type { AppOptions, PagesOptions } from "../app-deps.js";
import { accountPages } from "./account-pages.js";
import { accountSecurityPages } from "./account-security-pages.js";
import { ADMIN_PREFIX, adminPages } from "./admin/admin-pages.js";
import { EN, errorText } from "./messages.js";
import { cookieName, logoOriginOf, nonceOf, refuseCrossSite, stampPageCsp } from "./page-security.js";
import { pageCookies } from "./page-session-cookie.js";
import { publicPages } from "./public-pages.js";
import { type PageRenderer, renderPage, unhandledCode } from "./render.js";

// Templates and assets live beside `src/` and `dist/`, so both resolve them the same way.
const TEMPLATES = fileURLToPath(new URL("../../templates/", import.meta.url));
const ASSETS = fileURLToPath(new URL("../../static/", import.meta.url));
export const PAGE_ASSETS_PREFIX = "/pages/assets/";

/** Whether a route is a hosted page or its asset: HTML for browsers, not an API operation (no OpenAPI). */
export function isHostedPageRoute(url: string): boolean {
  return (
    url.startsWith(PAGE_ASSETS_PREFIX) ||
    url === ADMIN_PREFIX ||
    url.startsWith(`${ADMIN_PREFIX}/`) ||
    PAGE_ROUTES.has(url)
  );
}

const PAGE_ROUTES: ReadonlySet<string> = new Set([
  "/login",
  "/login/federated",
  "/login/federated/:provider",
  "/login/passkey",
  "/login/passkey-options",
  "/reactivate",
  "/mfa",
  "/mfa/passkey-options",
  "/mfa/enrol",
  "/register",
  "/verify-email",
  "/forgot-password",
  "/reset-password",
  "/verify-email-change",
  "/account",
  "/account/profile",
  "/account/password",
  "/account/sessions/revoke",
  "/account/email",
  "/account/email/verify",
  "/account/identities/:id/unlink",
  "/account/identities/link",
  "/account/identities/linked",
  "/account/deactivate",
  "/account/delete",
  "/account/step-up",
  "/account/security",
  "/account/security/totp",
  "/account/security/totp/confirm",
  "/account/security/recovery-codes",
  "/account/security/factors/remove",
  "/account/security/passkey-options",
  "/account/security/passkey",
  "/logout",
]);

export interface PagesPluginOptions {
  readonly options: AppOptions;
  readonly brand: PagesOptions;
}

/**
 * The hosted pages: server-rendered HTML forms over the same use cases as the API, in their own
 * encapsulated context (form bodies, cookies, CSRF, CSP and an HTML error page apply only here).
 */
export async function pagesPlugin(app: FastifyInstance, { options, brand }: PagesPluginOptions) {
  const cookies = pageCookies(options, brand);
  const { secure } = cookies;
  const renderer: PageRenderer = { brand, messages: EN, passkeyLogin: options.useCases.passkeyLogin !== undefined };
  const logoOrigin = logoOriginOf(brand.logoUrl);

  await app.register(fastifyFormbody);
  await app.register(fastifyCookie);
  await app.register(fastifyCsrf, {
    cookieKey: cookieName("gh_csrf", secure),
    cookieOpts: { path: "/", httpOnly: true, sameSite: "lax", secure },
    getToken: (request) => (request.body as Record<string, string> | undefined)?._csrf,
  });
  await app.register(fastifyView, {
    engine: { eta: new Eta({ autoEscape: true, autoTrim: false }) },
    root: TEMPLATES,
    production: true,
  });
  await app.register(fastifyStatic, {
    root: ASSETS,
    prefix: PAGE_ASSETS_PREFIX,
    schemaHide: true,
    // Assets change with the release: a browser revalidates them after an hour.
    cacheControl: true,
    maxAge: 3_600_000,
  });

  app.addHook("onRequest", async (request, reply) => stampPageCsp(request, reply, logoOrigin));
  app.addHook("preHandler", refuseCrossSite(new URL(brand.publicBaseUrl).origin));
  // The token is checked after the body is parsed; a refusal goes to the error handler below.
  app.addHook("preHandler", (request, reply, done) => {
    if (request.method === "POST") app.csrfProtection(request, reply, done);
    else done();
  });

  app.setErrorHandler(async (error, request, reply) => {
    // A refusal from an app-level hook (the rate limit) comes before this context's own hooks.
    if (nonceOf(request) === "") stampPageCsp(request, reply, logoOrigin);
    const code = unhandledCode(error, request);
    const retryAfter = (error as { details?: { retry_after?: unknown } }).details?.retry_after;
    if (typeof retryAfter === "number") reply.header("retry-after", retryAfter);
    return renderPage(
      renderer,
      request,
      reply,
      "problem",
      { title: "Something went wrong", errors: [{ text: errorText(EN, code) }] },
      ERROR_TABLE[code].status,
      false,
    );
  });

  publicPages(app, options, renderer, cookies);
  accountPages(app, options, renderer, cookies);
  accountSecurityPages(app, options, renderer, cookies);
  adminPages(app, options, renderer, cookies);
}
