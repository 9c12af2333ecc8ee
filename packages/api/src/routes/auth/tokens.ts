import { Type } from "typebox";
import { claimsOf } from "../../http/auth-hook.js";
import { deviceCookie } from "../../http/device-cookie.js";
import { requestContext } from "../../http/request-context.js";
import { done, Envelope, errorResponses, MessageOnly, ok } from "../../schemas/envelope.js";
import { MfaChallengeData } from "../../schemas/mfa-schemas.js";
import { LoginBody, LoginData, LogoutBody, RefreshBody, RefreshData } from "../../schemas/user-schemas.js";
import { signInResponse, tokenResponse } from "../responses.js";
import { bearer, type RoutesPlugin } from "../routes-plugin.js";

const tags = ["auth"];

/** POST /api/v1/auth/login, /refresh and /logout: a session's tokens, from first to last. */
export const tokenRoutes: RoutesPlugin = async (app, { options }) => {
  const { auth } = options.useCases;

  app.post(
    "/api/v1/auth/login",
    {
      config: { rateLimit: "auth" },
      schema: {
        tags,
        summary: "Log in with email and password",
        description:
          "Unknown email, wrong password and deleted account all answer 401 INVALID_CREDENTIALS alike. " +
          "A correct password on a non-active account answers 403 with a code naming the state. A success sets " +
          "the `gh_device` cookie and returns `device_token`: present either (cookie, or `X-Device-Token`) on later " +
          "logins so that failures elsewhere (429 for new devices) never lock this device out. A user with a second " +
          "factor gets `{ mfa_required: true, mfa_token, factors }` and no tokens: complete it at POST /api/v1/auth/mfa/verify.",
        operationId: "login",
        body: LoginBody,
        response: {
          200: Envelope(Type.Union([LoginData, MfaChallengeData])),
          ...errorResponses(400, 401, 403, 413, 415, 429),
        },
      },
    },
    async (request, reply) => {
      const result = await auth.logIn(request.body, requestContext(request));
      if ("mfaRequired" in result) return ok(signInResponse(result), "Second factor required");
      if (result.device !== undefined) reply.header("set-cookie", deviceCookie(request, result.device));
      return ok(signInResponse(result), "Login successful");
    },
  );

  app.post(
    "/api/v1/auth/refresh",
    {
      config: { rateLimit: "refresh" },
      schema: {
        tags,
        summary: "Rotate a refresh token",
        description:
          "Returns a new access token and a new refresh token; the presented one is retired. Presenting a " +
          "retired token again after the grace window revokes the whole session (REFRESH_TOKEN_REVOKED).",
        operationId: "refresh",
        body: RefreshBody,
        response: { 200: Envelope(RefreshData), ...errorResponses(400, 401, 403, 413, 415, 429) },
      },
    },
    async (request) => {
      const tokens = await auth.refreshSession(request.body.refresh_token, requestContext(request));
      return ok(tokenResponse(tokens), "Token refreshed successfully");
    },
  );

  app.post(
    "/api/v1/auth/logout",
    {
      config: { auth: true },
      // The body is optional: an absent one means "end this session".
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        tags,
        summary: "Log out",
        description:
          "Ends the session of the given refresh token (default: the access token's own session), or every " +
          "session with `all_devices: true`. Access tokens of ended sessions fail on the next request.",
        operationId: "logout",
        security: bearer,
        body: LogoutBody,
        response: { 200: MessageOnly, ...errorResponses(400, 401, 413, 415, 429) },
      },
    },
    async (request) => {
      const claims = claimsOf(request);
      const body = request.body;
      await auth.logOut(
        {
          userId: claims.sub,
          sessionId: claims.sid,
          ...(body.refresh_token === undefined ? {} : { refreshToken: body.refresh_token }),
          allDevices: body.all_devices === true,
        },
        requestContext(request),
      );
      return done("Logged out successfully");
    },
  );
};
