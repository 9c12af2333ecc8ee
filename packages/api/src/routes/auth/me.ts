import type { FastifyRequest } from "fastify";
import type { AccountUseCases } from "../../app-deps.js";
import { claimsOf } from "../../http/auth-hook.js";
import { Envelope, errorResponses, ok } from "../../schemas/envelope.js";
import { CurrentUser } from "../../schemas/user-schemas.js";
import { currentUserResponse } from "../responses.js";
import { bearer, type RoutesPlugin } from "../routes-plugin.js";

/** The one handler of GET /api/v1/auth/me and GET /api/v1/users/me: the same data at both. */
export function currentUserHandler(account: AccountUseCases) {
  return async (request: FastifyRequest) => {
    const current = await account.getCurrentUser(claimsOf(request).sub);
    return ok(currentUserResponse(current.user, current.roles));
  };
}

/** GET /api/v1/auth/me. */
export const authMeRoutes: RoutesPlugin = async (app, { options }) => {
  app.get(
    "/api/v1/auth/me",
    {
      config: { auth: true },
      schema: {
        tags: ["auth"],
        summary: "The signed-in user",
        description: "Profile with roles and their permissions.",
        operationId: "me",
        security: bearer,
        response: { 200: Envelope(CurrentUser), ...errorResponses(401, 403, 429) },
      },
    },
    currentUserHandler(options.useCases.account),
  );
};
