import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { SessionTokens } from "@gatehouse/application";
import type { ApiUseCases, AppOptions } from "../app-deps.js";
import { claimsOf } from "../http/auth-hook.js";
import { requestContext } from "../http/request-context.js";
import { holdUntilFloor } from "../http/response-floor.js";
import { Envelope, errorResponses, MessageOnly, ok } from "../schemas/envelope.js";
import {
  CurrentUser,
  LoginBody,
  LoginData,
  LogoutBody,
  RefreshBody,
  RefreshData,
  RegisterBody,
  RegisteredUser,
} from "../schemas/user-schemas.js";
import { currentUserResponse, registeredUserResponse } from "./user-response.js";

const tags = ["auth"];
const bearer = [{ bearerAuth: [] }];

function tokenResponse(tokens: SessionTokens) {
  return {
    access_token: tokens.accessToken,
    refresh_token: tokens.refreshToken,
    token_type: tokens.tokenType,
    expires_in: tokens.expiresIn,
    refresh_expires_in: tokens.refreshExpiresIn,
  };
}

/** PRD §4.1: register, login, refresh, logout, me. */
export const authRoutes: FastifyPluginAsyncTypebox<{
  useCases: ApiUseCases;
  responseFloors: AppOptions["responseFloors"];
}> = async (app, { useCases, responseFloors }) => {
  const registerSchema = {
    tags,
    summary: "Register a new user",
    description:
      "Creates a user with the `user` role. With REQUIRE_EMAIL_VERIFICATION (default) the user starts in " +
      "`pending_verification` and a code and link are emailed; otherwise it starts `active` (or " +
      "`pending_approval` with REQUIRE_ADMIN_APPROVAL). An expired, never-verified registration of the same " +
      "email or username is replaced. With ENUMERATION_PROTECTION a taken email gets the same 201 (the owner " +
      "is emailed instead). Also served at POST /api/v1/register.",
    body: RegisterBody,
    response: { 201: Envelope(RegisteredUser), ...errorResponses(400, 409, 413, 415, 429) },
  };
  for (const url of ["/api/v1/auth/register", "/api/v1/register"]) {
    app.post(
      url,
      {
        config: { rateLimit: "auth" },
        schema: { ...registerSchema, operationId: url.includes("auth") ? "register" : "registerAlias" },
      },
      async (request, reply) => {
        const { username, email, password, full_name, phone_number } = request.body;
        const registration = await useCases.registerUser(
          { username, email, password, fullName: full_name ?? null, phoneNumber: phone_number ?? null },
          requestContext(request),
        );
        await holdUntilFloor(reply, responseFloors?.registerMs);
        const expiresAt = registration.verificationExpiresAt;
        return reply.code(201).send(
          ok(
            {
              ...registeredUserResponse(registration.user),
              verification_expires_at: expiresAt?.toISOString() ?? null,
            },
            expiresAt === null
              ? "User registered successfully"
              : "Registration received: enter the code sent to your email address to activate the account",
          ),
        );
      },
    );
  }

  app.post(
    "/api/v1/auth/login",
    {
      config: { rateLimit: "auth" },
      schema: {
        tags,
        summary: "Log in with email and password",
        description:
          "Unknown email, wrong password and deleted account all answer 401 INVALID_CREDENTIALS alike. " +
          "A correct password on a non-active account answers 403 with a code naming the state.",
        operationId: "login",
        body: LoginBody,
        response: { 200: Envelope(LoginData), ...errorResponses(400, 401, 403, 413, 415, 429) },
      },
    },
    async (request) => {
      const result = await useCases.logIn(request.body, requestContext(request));
      return ok(
        {
          ...tokenResponse(result.tokens),
          user: {
            id: result.user.id,
            username: result.user.username,
            email: result.user.email,
            roles: result.roles.map((role) => role.name),
          },
        },
        "Login successful",
      );
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
      const tokens = await useCases.refreshSession(request.body.refresh_token, requestContext(request));
      return ok(tokenResponse(tokens), "Token refreshed successfully");
    },
  );

  app.post(
    "/api/v1/auth/logout",
    {
      config: { auth: true },
      // The body is optional (PRD 4.1.4): an absent one means "end this session".
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
      await useCases.logOut(
        {
          userId: claims.sub,
          sessionId: claims.sid,
          ...(body.refresh_token === undefined ? {} : { refreshToken: body.refresh_token }),
          allDevices: body.all_devices === true,
        },
        requestContext(request),
      );
      return { success: true as const, message: "Logged out successfully" };
    },
  );

  app.get(
    "/api/v1/auth/me",
    {
      config: { auth: true },
      schema: {
        tags,
        summary: "The signed-in user",
        description: "Profile with roles and their permissions.",
        operationId: "me",
        security: bearer,
        response: { 200: Envelope(CurrentUser), ...errorResponses(401, 403, 429) },
      },
    },
    async (request) => {
      const account = await useCases.getCurrentUser(claimsOf(request).sub);
      return ok(currentUserResponse(account.user, account.roles));
    },
  );
};
