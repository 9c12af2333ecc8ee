import { requestContext } from "../../http/request-context.js";
import { holdUntilFloor, withinFloor } from "../../http/response-floor.js";
import { done, errorResponses, MessageOnly } from "../../schemas/envelope.js";
import { EmailBody, ResetPasswordBody } from "../../schemas/user-schemas.js";
import type { RoutesPlugin } from "../routes-plugin.js";

const tags = ["account recovery"];

// One answer for every address, so the response says nothing about which accounts exist.
const RESET_ANSWER = "If an account exists for this address, a password reset email has been sent";

/** POST /api/v1/auth/forgot-password and /reset-password: account recovery. */
export const passwordResetRoutes: RoutesPlugin = async (app, { options }) => {
  const { recovery } = options.useCases;

  app.post(
    "/api/v1/auth/forgot-password",
    {
      // Anonymous and guessable: counted in the strict per-IP login budget.
      config: { rateLimit: "auth" },
      schema: {
        tags,
        summary: "Request a password reset email",
        description:
          "Always 202 with the same body. A live account gets a code and a link valid PASSWORD_RESET_TTL_MINUTES; " +
          "a new request replaces older codes.",
        operationId: "forgotPassword",
        body: EmailBody,
        response: { 202: MessageOnly, ...errorResponses(400, 413, 415) },
      },
    },
    async (request, reply) => {
      await recovery.requestPasswordReset(request.body.email, requestContext(request));
      await holdUntilFloor(reply, options.responseFloors?.mailRequestsMs);
      return reply.code(202).send(done(RESET_ANSWER));
    },
  );

  app.post(
    "/api/v1/auth/reset-password",
    {
      // Anonymous and guessable: counted in the strict per-IP login budget.
      config: { rateLimit: "auth" },
      schema: {
        tags,
        summary: "Set a new password with a reset code",
        description:
          "`{ token, new_password }` or `{ email, code, new_password }`. Ends every session of the account " +
          "(access tokens fail on the next request) and does not log in. Invalid, used, expired or burned code " +
          "(after 5 wrong codes), and an address without an account, alike: 400 INVALID_RESET_TOKEN; the current password as the new one: 400 VALIDATION_ERROR on new_password.",
        operationId: "resetPassword",
        body: ResetPasswordBody,
        response: { 200: MessageOnly, ...errorResponses(400, 413, 415) },
      },
    },
    async (request, reply) => {
      const { new_password, ...presented } = request.body;
      await withinFloor(reply, options.responseFloors?.mailRequestsMs, () =>
        recovery.resetPassword({ ...presented, newPassword: new_password }, requestContext(request)),
      );
      return done("Password has been reset: log in with the new password");
    },
  );
};
