import { SENSITIVE } from "../../http/assurance-hook.js";
import { actorOf } from "../../http/permission-hook.js";
import { requestContext } from "../../http/request-context.js";
import { SessionsEnded } from "../../schemas/account-schemas.js";
import { MfaResetData, UserIdParams } from "../../schemas/admin-schemas.js";
import { Envelope, errorResponses, ok } from "../../schemas/envelope.js";
import { type RoutesPlugin, bearer as security } from "../routes-plugin.js";

const tags = ["admin: users"];
const BASE = "/api/v1/admin/users";
const GUARD =
  "Not a super_admin unless you are one (SUPER_ADMIN_REQUIRED), nobody holding a permission you lack " +
  "(PRIVILEGE_ESCALATION); 404 USER_NOT_FOUND, 422 USER_ALREADY_DELETED.";

/**
 * /api/v1/admin/users/{id}/mfa and /sessions: what a helpdesk does for a user who lost a phone
 * or a laptop. Both end every session at once: refresh tokens now, access tokens on their next request.
 */
export const userSignInRoutes: RoutesPlugin = async (app, { options }) => {
  const { admin } = options.useCases;

  app.delete(
    `${BASE}/:id/mfa`,
    {
      config: { permission: "users:write", ...SENSITIVE },
      schema: {
        tags,
        security,
        operationId: "adminResetUserMfa",
        summary: "Reset a user's second factors",
        description:
          "Removes every second factor (authenticator app, recovery codes, passkeys), ends every session " +
          "and mails the user (when a factor was removed); the user then signs in with the password alone. " +
          `Audited as mfa.reset_by_admin. ${GUARD} Not yourself (422 CANNOT_RESET_OWN_MFA).`,
        params: UserIdParams,
        response: { 200: Envelope(MfaResetData), ...errorResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request) => {
      const reset = await admin.resetUserMfa(actorOf(request), request.params.id, requestContext(request));
      const data = { factors_removed: reset.factorsRemoved, sessions_ended: reset.sessionsRevoked };
      return ok(data, "Second factors reset");
    },
  );

  app.delete(
    `${BASE}/:id/sessions`,
    {
      config: { permission: "users:write" },
      schema: {
        tags,
        security,
        operationId: "adminRevokeUserSessions",
        summary: "Sign a user out everywhere",
        description: `Ends every session of the user; the account is left as it is. Audited as user.sessions_revoke. ${GUARD}`,
        params: UserIdParams,
        response: { 200: Envelope(SessionsEnded), ...errorResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request) => {
      const { sessionsRevoked } = await admin.revokeUserSessions(
        actorOf(request),
        request.params.id,
        requestContext(request),
      );
      return ok({ sessions_ended: sessionsRevoked }, "Sessions ended");
    },
  );
};
