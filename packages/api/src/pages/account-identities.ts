import { pagesReturnUrlOf } from "@gatehouse/application";
import { DomainError, type ErrorCode } from "@gatehouse/domain";
import type { FastifyInstance } from "fastify";
import type { AppOptions, PagesOptions } from "../app-deps.js";
import { requestContext } from "../http/request-context.js";
import { IdentityIdParams } from "../schemas/identity-schemas.js";
import { type AccountAction, accountRoute } from "./account-action.js";
import { LINK_STATE, LINKED_PATH } from "./federated-pages.js";
import { formField, queryField } from "./form-fields.js";
import { bindLinkToBrowser, clearLinkBinding } from "./link-binding.js";
import { pageCookies } from "./page-session-cookie.js";
import { type PageRenderer, providerLabel, renderPage } from "./render.js";

/** Starting a link spends the `auth` budget, like `GET /api/v1/users/me/identities/{provider}/link`. */
const linkRoute = { schema: { hide: true }, config: { rateLimit: "auth", pageSession: true } } as const;

/** The enabled providers (OAUTH_PROVIDERS) the user has no linked account of: one "Link" button each. */
export function linkableProviders(
  options: AppOptions,
  brand: PagesOptions,
  linked: readonly { readonly provider: string }[] | undefined,
): readonly string[] {
  if (options.useCases.federation === undefined || linked === undefined) return [];
  return (brand.providers ?? []).filter((name) => !linked.some((identity) => identity.provider === name));
}

/**
 * Why the callback refused a link (`?error=<reason>`), as the error the account page shows. The
 * reason arrives in the address, which anyone can make up: it never ends the page session (a
 * blocked account is signed out by its next action anyway), so a crafted link cannot sign a user out.
 */
function linkRefusal(reason: string): ErrorCode {
  if (reason === "identity_already_linked") return "IDENTITY_ALREADY_LINKED";
  // Finished in a browser other than the one that started it: nothing was linked.
  if (reason === "browser_mismatch") return "OAUTH_STATE_INVALID";
  return "OAUTH_SIGN_IN_REFUSED";
}

/**
 * The account page's linked provider accounts: unlink (`DELETE /api/v1/users/me/identities/{id}`'s
 * use case, so another user's identity is not found and the last way to sign in stays,
 * LAST_SIGN_IN_METHOD), and link another (the API's link flow: the state record carries the
 * signed-in user, the callback links the provider account to them or refuses one that belongs to
 * someone else). Without identities wired the page lists none and these forms are absent.
 */
export function accountIdentityForms(
  app: FastifyInstance,
  options: AppOptions,
  { renderer, accountAction }: { renderer: PageRenderer; accountAction: AccountAction },
) {
  const { identities, federation } = options.useCases;
  if (identities === undefined) return;

  app.post<{ Params: { id: string } }>(
    "/account/identities/:id/unlink",
    { ...accountRoute, schema: { hide: true, params: IdentityIdParams } },
    async (request, reply) =>
      accountAction(request, reply, "identity_unlinked", (session) =>
        identities.unlinkIdentity(session.userId, request.params.id, requestContext(request)),
      ),
  );

  if (federation === undefined) return;
  const returnUrl = pagesReturnUrlOf(renderer.brand.publicBaseUrl);
  const { secure } = pageCookies(options, renderer.brand);

  // A form, so the start needs the session and the CSRF token; but `form-action 'self'` stops a
  // form's navigation from being redirected to the provider, so the answer is a page that goes
  // there itself (a zero-second refresh, and its link for a browser that ignores it).
  app.post("/account/identities/link", linkRoute, async (request, reply) => {
    const provider = formField(request, "provider");
    let to: URL | undefined;
    return accountAction(
      request,
      reply,
      "identity_linked",
      async (session) => {
        to = await federation.startFederatedLogin({
          provider,
          redirectUri: returnUrl,
          linkUserId: session.userId,
          appState: LINK_STATE,
          browserBinding: bindLinkToBrowser(reply, secure),
        });
      },
      {
        answer: () => {
          const view = { title: `Link your ${providerLabel(provider)} account`, provider, refreshTo: to?.href };
          return renderPage(renderer, request, reply.header("cache-control", "no-store"), "federated-continue", view);
        },
      },
    );
  });

  // The link's outcome, sent on by /login/federated: the notice, or the callback's refusal.
  app.get(LINKED_PATH, accountRoute, async (request, reply) =>
    accountAction(request, reply, "identity_linked", async () => {
      clearLinkBinding(reply, secure);
      const error = queryField(request, "error");
      if (error !== "" || queryField(request, "linked") === "") throw new DomainError(linkRefusal(error));
    }),
  );
}
