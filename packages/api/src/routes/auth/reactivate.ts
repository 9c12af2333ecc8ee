import { requestContext } from "../../http/request-context.js";
import { ReactivateBody } from "../../schemas/account-schemas.js";
import { done, errorResponses, MessageOnly } from "../../schemas/envelope.js";
import type { RoutesPlugin } from "../routes-plugin.js";

/** POST /api/v1/auth/reactivate: a self-deactivated account comes back with its password. */
export const reactivateRoutes: RoutesPlugin = async (app, { options }) => {
  const { account } = options.useCases;

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
      const result = await account.reactivateAccount(request.body, requestContext(request));
      return done(result.reactivated ? "Account reactivated; you can log in" : "Account is already active");
    },
  );
};
