import { claimsOf } from "../../http/auth-hook.js";
import { requestContext } from "../../http/request-context.js";
import { SessionIdParams, SessionList } from "../../schemas/account-schemas.js";
import { done, Envelope, errorResponses, MessageOnly, ok } from "../../schemas/envelope.js";
import { sessionResponse } from "../responses.js";
import { bearer, type RoutesPlugin } from "../routes-plugin.js";

const tags = ["sessions"];

/** GET /api/v1/auth/sessions and DELETE /api/v1/auth/sessions/{id}: the signed-in user's sessions. */
export const sessionRoutes: RoutesPlugin = async (app, { options }) => {
  const { account } = options.useCases;

  app.get(
    "/api/v1/auth/sessions",
    {
      config: { auth: true },
      schema: {
        tags,
        summary: "List my active sessions",
        description: "Sessions with an unexpired refresh token, most recently used first; `current` marks this one.",
        operationId: "listSessions",
        security: bearer,
        response: { 200: Envelope(SessionList), ...errorResponses(401) },
      },
    },
    async (request) => {
      const claims = claimsOf(request);
      const list = await account.listSessions(claims.sub, claims.sid);
      return ok({ sessions: list.map(sessionResponse) });
    },
  );

  app.delete(
    "/api/v1/auth/sessions/:id",
    {
      config: { auth: true },
      schema: {
        tags,
        summary: "Revoke one of my sessions",
        description:
          "Ends the session: its refresh token stops working and its access tokens fail on the next request. " +
          "Another user's session, an ended one and an unknown id all answer 404.",
        operationId: "revokeSession",
        security: bearer,
        params: SessionIdParams,
        response: { 200: MessageOnly, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const claims = claimsOf(request);
      await account.revokeSession(
        { userId: claims.sub, currentSessionId: claims.sid, sessionId: request.params.id.toLowerCase() },
        requestContext(request),
      );
      return done("Session revoked");
    },
  );
};
