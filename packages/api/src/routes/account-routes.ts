import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { ApiUseCases } from "../app-deps.js";
import { claimsOf } from "../http/auth-hook.js";
import { requestContext } from "../http/request-context.js";
import {
  ChangePasswordBody,
  ChangePasswordData,
  PasswordConfirmationBody,
  ReactivateBody,
  SessionIdParams,
  SessionList,
  SessionsEnded,
} from "../schemas/account-schemas.js";
import { Envelope, errorResponses, MessageOnly, ok } from "../schemas/envelope.js";
import { CurrentUser } from "../schemas/user-schemas.js";
import { currentUserResponse } from "./user-response.js";

const bearer = [{ bearerAuth: [] }];
const users = ["users"];
const sessions = ["sessions"];

/** Seed 000 / issue 5 §4: the signed-in user's own account and sessions. */
export const accountRoutes: FastifyPluginAsyncTypebox<{ useCases: ApiUseCases }> = async (app, { useCases }) => {
  app.get(
    "/api/v1/users/me",
    {
      config: { auth: true },
      schema: {
        tags: users,
        summary: "The signed-in user's profile",
        description: "The same data as GET /api/v1/auth/me.",
        operationId: "getMyProfile",
        security: bearer,
        response: { 200: Envelope(CurrentUser), ...errorResponses(401, 403) },
      },
    },
    async (request) => {
      const account = await useCases.getCurrentUser(claimsOf(request).sub);
      return ok(currentUserResponse(account.user, account.roles));
    },
  );

  app.patch(
    "/api/v1/users/me/password",
    {
      config: { auth: true },
      schema: {
        tags: users,
        summary: "Change the password",
        description:
          "Needs the current password (401 INVALID_CREDENTIALS when wrong); the new one must meet the policy and " +
          "differ from it. Other sessions end unless `sign_out_other_sessions` is false; this one stays. " +
          "A 'password changed' email is sent.",
        operationId: "changeMyPassword",
        security: bearer,
        body: ChangePasswordBody,
        response: { 200: Envelope(ChangePasswordData), ...errorResponses(400, 401, 403, 413, 415) },
      },
    },
    async (request) => {
      const claims = claimsOf(request);
      const { current_password, new_password, sign_out_other_sessions } = request.body;
      const result = await useCases.changePassword(
        {
          userId: claims.sub,
          sessionId: claims.sid,
          currentPassword: current_password,
          newPassword: new_password,
          signOutOtherSessions: sign_out_other_sessions !== false,
        },
        requestContext(request),
      );
      return ok({ other_sessions_ended: result.otherSessionsEnded }, "Password changed");
    },
  );

  app.post(
    "/api/v1/users/me/deactivate",
    {
      config: { auth: true },
      schema: {
        tags: users,
        summary: "Deactivate the account",
        description:
          "Needs the password. The account becomes `deactivated` and every session ends; " +
          "POST /api/v1/auth/reactivate brings it back.",
        operationId: "deactivateMyAccount",
        security: bearer,
        body: PasswordConfirmationBody,
        response: { 200: Envelope(SessionsEnded), ...errorResponses(400, 401, 403, 409, 413, 415) },
      },
    },
    async (request) => {
      const result = await useCases.deactivateAccount(
        { userId: claimsOf(request).sub, password: request.body.password },
        requestContext(request),
      );
      return ok({ sessions_ended: result.sessionsEnded }, "Account deactivated");
    },
  );

  app.delete(
    "/api/v1/users/me",
    {
      config: { auth: true },
      schema: {
        tags: users,
        summary: "Delete the account",
        description:
          "Needs the password. Soft delete: every session ends, the email and username become free, and an " +
          "administrator can restore the account until the worker purges it (USER_PURGE_AFTER_DAYS).",
        operationId: "deleteMyAccount",
        security: bearer,
        body: PasswordConfirmationBody,
        response: { 200: Envelope(SessionsEnded), ...errorResponses(400, 401, 403, 413, 415) },
      },
    },
    async (request) => {
      const result = await useCases.deleteAccount(
        { userId: claimsOf(request).sub, password: request.body.password },
        requestContext(request),
      );
      return ok({ sessions_ended: result.sessionsEnded }, "Account deleted");
    },
  );

  app.post(
    "/api/v1/auth/reactivate",
    {
      // A password guess like login: the same per-address limit.
      config: { rateLimit: "auth" },
      schema: {
        tags: ["auth"],
        summary: "Reactivate a self-deactivated account",
        description:
          "Unknown email, wrong password and deleted account all answer 401 INVALID_CREDENTIALS. After a correct " +
          "password, a suspended account (or one an administrator deactivated) answers 403: only an administrator " +
          "can lift it. Does not sign in.",
        operationId: "reactivate",
        body: ReactivateBody,
        response: { 200: MessageOnly, ...errorResponses(400, 401, 403, 413, 415, 429) },
      },
    },
    async (request) => {
      const result = await useCases.reactivateAccount(request.body, requestContext(request));
      return {
        success: true as const,
        message: result.reactivated ? "Account reactivated; you can log in" : "Account is already active",
      };
    },
  );

  app.get(
    "/api/v1/auth/sessions",
    {
      config: { auth: true },
      schema: {
        tags: sessions,
        summary: "List my active sessions",
        description: "Sessions with an unexpired refresh token, most recently used first; `current` marks this one.",
        operationId: "listSessions",
        security: bearer,
        response: { 200: Envelope(SessionList), ...errorResponses(401) },
      },
    },
    async (request) => {
      const claims = claimsOf(request);
      const list = await useCases.listSessions(claims.sub, claims.sid);
      return ok({
        sessions: list.map((session) => ({
          id: session.id,
          created_at: session.createdAt.toISOString(),
          last_used_at: session.lastUsedAt.toISOString(),
          user_agent: session.userAgent,
          ip_address: session.ipAddress,
          current: session.current,
        })),
      });
    },
  );

  app.delete(
    "/api/v1/auth/sessions/:id",
    {
      config: { auth: true },
      schema: {
        tags: sessions,
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
      await useCases.revokeSession(
        { userId: claims.sub, currentSessionId: claims.sid, sessionId: request.params.id.toLowerCase() },
        requestContext(request),
      );
      return { success: true as const, message: "Session revoked" };
    },
  );
};
