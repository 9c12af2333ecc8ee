import { Type } from "typebox";
import { claimsOf } from "../http/auth-hook.js";
import { requestContext } from "../http/request-context.js";
import { Envelope, errorResponses, ok } from "../schemas/envelope.js";
import { Identity, IdentityIdParams, IdentityList, LinkQuery } from "../schemas/identity-schemas.js";
import { identityResponse } from "./responses.js";
import { bearer, type RoutesPlugin } from "./routes-plugin.js";

const tags = ["users"];
const BASE = "/api/v1/users/me/identities";

/**
 * /api/v1/users/me/identities: the signed-in user's linked provider accounts (README "Social
 * login", linking rules): list, link another one, unlink one.
 */
export const identityRoutes: RoutesPlugin = async (app, { options }) => {
  const { identities, federation } = options.useCases;
  if (identities === undefined) return;

  app.get(
    BASE,
    {
      config: { auth: true },
      schema: {
        tags,
        summary: "The signed-in user's linked provider accounts",
        description: "Oldest first, with when each was linked and last used to sign in.",
        operationId: "listMyIdentities",
        security: bearer,
        response: { 200: Envelope(IdentityList), ...errorResponses(401, 403) },
      },
    },
    async (request) => {
      const items = await identities.listIdentities(claimsOf(request).sub);
      return ok({ items: items.map(identityResponse) });
    },
  );

  if (federation !== undefined) {
    app.get(
      `${BASE}/:provider/link`,
      {
        config: { auth: true, rateLimit: "auth" },
        schema: {
          tags,
          summary: "Link another provider account to the signed-in user",
          description:
            "The sign-in flow, but the callback links the provider account to the user whose bearer token " +
            "started it (the state record carries the user id). The app calls this with its token and sends " +
            "the browser to the 302's Location. The result comes back to redirect_uri as `?linked=<provider>` " +
            "or `?error=…`: `identity_already_linked` when the provider account belongs to another user " +
            "(IDENTITY_ALREADY_LINKED, 409), `account_suspended` etc. when the account was blocked meanwhile.",
          operationId: "linkMyIdentity",
          security: bearer,
          params: Type.Object({ provider: Type.String({ pattern: "^[a-z][a-z0-9]{0,31}$" }) }),
          querystring: LinkQuery,
          response: {
            302: { description: "To the provider's authorization page", type: "null" },
            ...errorResponses(400, 401, 403, 404, 429, 503),
          },
        },
      },
      async (request, reply) => {
        const url = await federation.startFederatedLogin({
          provider: request.params.provider,
          redirectUri: request.query.redirect_uri,
          linkUserId: claimsOf(request).sub,
          ...(request.query.state === undefined ? {} : { appState: request.query.state }),
        });
        return reply.header("cache-control", "no-store").redirect(url.href, 302);
      },
    );
  }

  app.delete(
    `${BASE}/:id`,
    {
      config: { auth: true },
      schema: {
        tags,
        summary: "Unlink a provider account",
        description:
          "404 IDENTITY_NOT_FOUND for an id that is not one of the user's identities (another user's " +
          "answers the same). 409 LAST_SIGN_IN_METHOD when the account has no password and this is its " +
          "last identity: set a password through forgot/reset first.",
        operationId: "unlinkMyIdentity",
        security: bearer,
        params: IdentityIdParams,
        response: { 200: Envelope(Identity), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const removed = await identities.unlinkIdentity(
        claimsOf(request).sub,
        request.params.id,
        requestContext(request),
      );
      return ok(identityResponse(removed), "Identity unlinked");
    },
  );
};
