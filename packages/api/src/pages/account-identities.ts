import type { FastifyInstance } from "fastify";
import type { AppOptions } from "../app-deps.js";
import { requestContext } from "../http/request-context.js";
import { IdentityIdParams } from "../schemas/identity-schemas.js";
import { type AccountAction, accountRoute } from "./account-action.js";

/**
 * The unlink button of each linked provider account: `DELETE /api/v1/users/me/identities/{id}`'s
 * use case, so another user's identity is not found and the last way to sign in stays
 * (LAST_SIGN_IN_METHOD). Without identities wired the page lists none and this form is absent.
 */
export function accountIdentityForms(app: FastifyInstance, options: AppOptions, accountAction: AccountAction) {
  const { identities } = options.useCases;
  if (identities === undefined) return;

  app.post<{ Params: { id: string } }>(
    "/account/identities/:id/unlink",
    { ...accountRoute, schema: { hide: true, params: IdentityIdParams } },
    async (request, reply) =>
      accountAction(request, reply, "identity_unlinked", (session) =>
        identities.unlinkIdentity(session.userId, request.params.id, requestContext(request)),
      ),
  );
}
