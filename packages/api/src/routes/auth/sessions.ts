import { claimsOf } from "../../http/auth-hook.js";
import { requestContext } from "../../http/request-context.js";
import { DeviceIdParams, SessionIdParams, SessionList } from "../../schemas/account-schemas.js";
import { done, Envelope, errorResponses, MessageOnly, ok } from "../../schemas/envelope.js";
import { deviceResponse, sessionResponse } from "../responses.js";
import { bearer, type RoutesPlugin } from "../routes-plugin.js";

const tags = ["sessions"];

/**
 * GET /api/v1/auth/sessions, DELETE /api/v1/auth/sessions/{id} and
 * DELETE /api/v1/auth/sessions/devices/{id}: the signed-in user's sessions and known devices.
 */
export const sessionRoutes: RoutesPlugin = async (app, { options }) => {
  const { account } = options.useCases;

  app.get(
    "/api/v1/auth/sessions",
    {
      config: { auth: true },
      schema: {
        tags,
        summary: "List my active sessions and known devices",
        description:
          "Sessions with an unexpired refresh token, most recently used first; `current` marks this one. " +
          "`devices`: the live device tokens (one per client that signed in with the password), newest first.",
        operationId: "listSessions",
        security: bearer,
        response: { 200: Envelope(SessionList), ...errorResponses(401) },
      },
    },
    async (request) => {
      const claims = claimsOf(request);
      const [list, devices] = await Promise.all([
        account.listSessions(claims.sub, claims.sid),
        account.listDevices(claims.sub),
      ]);
      return ok({ sessions: list.map(sessionResponse), devices: devices.map(deviceResponse) });
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

  app.delete(
    "/api/v1/auth/sessions/devices/:id",
    {
      config: { auth: true },
      schema: {
        tags,
        summary: "Forget one of my known devices",
        description:
          "Revokes the device token: failed sign-ins from that client count in the account's untrusted budget " +
          "again until it signs in anew. Its sessions are not ended (DELETE the session for that). Another " +
          "user's device, a revoked one and an unknown id all answer 404.",
        operationId: "revokeDevice",
        security: bearer,
        params: DeviceIdParams,
        response: { 200: MessageOnly, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const claims = claimsOf(request);
      await account.revokeDevice(
        { userId: claims.sub, deviceId: request.params.id.toLowerCase() },
        requestContext(request),
      );
      return done("Device revoked");
    },
  );
};
