import { SENSITIVE } from "../../http/assurance-hook.js";
import { actorOf } from "../../http/permission-hook.js";
import { requestContext } from "../../http/request-context.js";
import { Envelope, errorResponses, ok } from "../../schemas/envelope.js";
import { Identity, UserIdentityParams } from "../../schemas/identity-schemas.js";
import { identityResponse } from "../responses.js";
import { type RoutesPlugin, bearer as security } from "../routes-plugin.js";

const tags = ["admin: users"];

/** /api/v1/admin/users/{id}/identities: unlinking a user's provider account (listed by GET /admin/users/{id}). */
export const userIdentityRoutes: RoutesPlugin = async (app, { options }) => {
  const { identities } = options.useCases;
  if (identities === undefined) return;

  app.delete(
    "/api/v1/admin/users/:id/identities/:identity_id",
    {
      config: { permission: "users:write", ...SENSITIVE },
      schema: {
        tags,
        security,
        operationId: "adminUnlinkUserIdentity",
        summary: "Unlink a user's provider account",
        description:
          "Under the same guard as other changes to a user: only a super_admin for a super_admin, and " +
          "nobody for a user holding a permission they lack (403 PRIVILEGE_ESCALATION). 404 " +
          "IDENTITY_NOT_FOUND when the identity is not this user's; 409 LAST_SIGN_IN_METHOD when the " +
          "account has no password and this is its last identity. Audited as auth.identity_unlink.",
        params: UserIdentityParams,
        response: { 200: Envelope(Identity), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const { id, identity_id } = request.params;
      const removed = await identities.unlinkUserIdentity(actorOf(request), id, identity_id, requestContext(request));
      return ok(identityResponse(removed), "Identity unlinked");
    },
  );
};
