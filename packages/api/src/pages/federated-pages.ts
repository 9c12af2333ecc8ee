import { createHash, randomBytes } from "node:crypto";
import { type LogInResult, type MfaChallengeResult, pagesReturnUrlOf } from "@gatehouse/application";
import { AUTHORIZATION_STATE_TTL_MS, DomainError } from "@gatehouse/domain";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { AppOptions } from "../app-deps.js";
import { requestContext } from "../http/request-context.js";
import { queryField } from "./form-fields.js";
import { cookieName } from "./page-security.js";
import { type PageRenderer, refusalOf, renderPage } from "./render.js";

/** What public-pages.ts does after any first factor: enrolment, the second step, or the session. */
export type FirstFactorDone = (
  request: FastifyRequest,
  reply: FastifyReply,
  result: LogInResult | MfaChallengeResult,
) => Promise<FastifyReply>;

const RETURN_PATH = "/login/federated";
/**
 * The app state a link from /account starts with: the provider's answer comes back to the one
 * return address the wiring allows, which sends it on to the account page.
 */
export const LINK_STATE = "account-link";
export const LINKED_PATH = "/account/identities/linked";
/** Both routes spend the sign-in's `auth` budget, like the API's start and token exchange. */
const authGet = { schema: { hide: true }, config: { rateLimit: "auth" } } as const;
const ProviderParams = Type.Object({ provider: Type.String({ pattern: "^[a-z][a-z0-9]{0,31}$" }) });

/**
 * The sign-in buttons of the enabled providers (OAUTH_PROVIDERS): the API's federated flow with
 * the pages' own return address (`pagesReturnUrlOf`, added to the allow-list by the wiring).
 * The PKCE verifier of the one-time code stays in an HttpOnly cookie scoped to the return path,
 * so the code alone, leaked from the address bar or history, buys nothing, and a code started in
 * another browser (login CSRF) fails like a wrong verifier.
 */
export function federatedPages(
  app: FastifyInstance,
  options: AppOptions,
  renderer: PageRenderer,
  secure: boolean,
  firstFactorDone: FirstFactorDone,
) {
  const federation = options.useCases.federation;
  if (federation === undefined) return;
  const verifierCookie = cookieName("gh_federated", secure);
  const cookieOptions = { path: RETURN_PATH, httpOnly: true, sameSite: "lax", secure } as const;
  const returnUrl = pagesReturnUrlOf(renderer.brand.publicBaseUrl);

  const refused = (request: FastifyRequest, reply: FastifyReply, error: unknown) => {
    const { status, errors } = refusalOf(error, renderer.messages);
    return renderPage(renderer, request, reply, "login", { title: "Sign in", errors }, status);
  };

  // A link, not a form: `form-action 'self'` would stop a form post redirecting to the provider.
  app.get<{ Params: { provider: string } }>(
    `${RETURN_PATH}/:provider`,
    { ...authGet, schema: { hide: true, params: ProviderParams } },
    async (request, reply) => {
      const verifier = randomBytes(32).toString("base64url");
      try {
        const url = await federation.startFederatedLogin({
          provider: request.params.provider,
          redirectUri: returnUrl,
          codeChallenge: createHash("sha256").update(verifier).digest("base64url"),
        });
        reply.setCookie(verifierCookie, verifier, { ...cookieOptions, maxAge: AUTHORIZATION_STATE_TTL_MS / 1000 });
        return reply.header("cache-control", "no-store").redirect(url.href, 303);
      } catch (error) {
        return refused(request, reply, error);
      }
    },
  );

  // The provider's answer, through the API's callback: `?code=` (one-time, 60 s) or `?error=`.
  // The verifier is used once: the cookie goes whatever the outcome, and pages.js takes the code
  // out of the address bar of the page shown here (the second step, or a refusal).
  app.get(RETURN_PATH, authGet, async (request, reply) => {
    const verifier = request.cookies[verifierCookie];
    reply.clearCookie(verifierCookie, cookieOptions).header("cache-control", "no-store");
    // A link the account page started (account-identities.ts) ends there, signed in as it began.
    if (queryField(request, "state") === LINK_STATE) return reply.redirect(linkedPath(request), 303);
    const code = queryField(request, "code");
    try {
      if (queryField(request, "error") !== "" || code === "" || code.length > 512)
        throw new DomainError("OAUTH_SIGN_IN_REFUSED");
      const result = await federation.exchangeHandoffCode(
        { code, ...(verifier === undefined ? {} : { codeVerifier: verifier }) },
        requestContext(request),
      );
      return await firstFactorDone(request, reply, result);
    } catch (error) {
      return refused(request, reply, error);
    }
  });
}

/** The account page's landing for a link's outcome: `?linked=<provider>` or the callback's `?error=<reason>`. */
function linkedPath(request: FastifyRequest): string {
  const error = queryField(request, "error");
  const outcome: [string, string] = error !== "" ? ["error", error] : ["linked", queryField(request, "linked")];
  return `${LINKED_PATH}?${new URLSearchParams([outcome])}`;
}
