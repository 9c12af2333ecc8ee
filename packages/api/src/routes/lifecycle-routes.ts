import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { ApiUseCases, AppOptions } from "../app-deps.js";
import { requestContext } from "../http/request-context.js";
import { holdUntilFloor } from "../http/response-floor.js";
import { Envelope, errorResponses, MessageOnly, ok } from "../schemas/envelope.js";
import { EmailAvailability, EmailBody, ResetPasswordBody, VerifiedUser, VerifyBody } from "../schemas/user-schemas.js";

const registration = ["registration"];
const recovery = ["account recovery"];

// One answer for every address, so the response says nothing about which accounts exist.
const RESEND_ANSWER = "If a registration is waiting for this address, a new code has been sent";
const RESET_ANSWER = "If an account exists for this address, a password reset email has been sent";

/** Seed 000's registration flow (verify, resend, check-email) and account recovery. */
export const lifecycleRoutes: FastifyPluginAsyncTypebox<{
  useCases: ApiUseCases;
  responseFloors: AppOptions["responseFloors"];
}> = async (app, { useCases, responseFloors }) => {
  app.post(
    "/api/v1/register/verify",
    {
      // Anonymous and guessable: counted in the strict per-IP login budget.
      config: { rateLimit: "auth" },
      schema: {
        tags: registration,
        summary: "Verify the email address of a registration",
        description:
          "`{ email, code }` or `{ token }` (from the link). Moves the account to `active`, or to `pending_approval` " +
          "when REQUIRE_ADMIN_APPROVAL is on. Wrong code: 400 INVALID_VERIFICATION_CODE (after 5 wrong codes the " +
          "code is burned and a resend is needed); expired: 410 VERIFICATION_EXPIRED; already verified: 409 ALREADY_VERIFIED.",
        operationId: "verifyRegistration",
        body: VerifyBody,
        response: { 200: Envelope(VerifiedUser), ...errorResponses(400, 409, 410, 413, 415) },
      },
    },
    async (request) => {
      const user = await useCases.verifyEmail(request.body, requestContext(request));
      const message =
        user.status === "active"
          ? "Email verified: the account is active"
          : "Email verified: the account is waiting for approval";
      return ok({ id: user.id, email: user.email, status: user.status }, message);
    },
  );

  app.post(
    "/api/v1/register/resend",
    {
      // Anonymous and guessable: counted in the strict per-IP login budget.
      config: { rateLimit: "auth" },
      schema: {
        tags: registration,
        summary: "Send a new verification code",
        description:
          "Same answer whether the address is pending, unknown or already active. At most one per " +
          "RESEND_COOLDOWN_SECONDS and RESEND_MAX_PER_DAY per address (429 with retry_after). The new code " +
          "replaces the previous code and link.",
        operationId: "resendVerification",
        body: EmailBody,
        response: { 200: MessageOnly, ...errorResponses(400, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      await useCases.resendVerification(request.body.email, requestContext(request));
      await holdUntilFloor(reply, responseFloors?.mailRequestsMs);
      return { success: true as const, message: RESEND_ANSWER };
    },
  );

  const { checkEmail } = useCases;
  if (checkEmail !== undefined) {
    app.post(
      "/api/v1/register/check-email",
      {
        // Anonymous and guessable: counted in the strict per-IP login budget.
        config: { rateLimit: "auth" },
        schema: {
          tags: registration,
          summary: "Is an email address free to register?",
          description: "Rate-limited per IP. Not served (404) when ENUMERATION_PROTECTION is on.",
          operationId: "checkEmail",
          body: EmailBody,
          response: { 200: Envelope(EmailAvailability), ...errorResponses(400, 413, 415, 429) },
        },
      },
      async (request) => ok({ available: await checkEmail(request.body.email, requestContext(request)) }),
    );
  }

  app.post(
    "/api/v1/auth/forgot-password",
    {
      // Anonymous and guessable: counted in the strict per-IP login budget.
      config: { rateLimit: "auth" },
      schema: {
        tags: recovery,
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
      await useCases.requestPasswordReset(request.body.email, requestContext(request));
      await holdUntilFloor(reply, responseFloors?.mailRequestsMs);
      return reply.code(202).send({ success: true as const, message: RESET_ANSWER });
    },
  );

  app.post(
    "/api/v1/auth/reset-password",
    {
      // Anonymous and guessable: counted in the strict per-IP login budget.
      config: { rateLimit: "auth" },
      schema: {
        tags: recovery,
        summary: "Set a new password with a reset code",
        description:
          "`{ token, new_password }` or `{ email, code, new_password }`. Ends every session of the account " +
          "(access tokens fail on the next request) and does not log in. Invalid, used or expired code: 400 " +
          "INVALID_RESET_TOKEN; the current password as the new one: 400 VALIDATION_ERROR on new_password.",
        operationId: "resetPassword",
        body: ResetPasswordBody,
        response: { 200: MessageOnly, ...errorResponses(400, 413, 415) },
      },
    },
    async (request) => {
      const { new_password, ...presented } = request.body;
      await useCases.resetPassword({ ...presented, newPassword: new_password }, requestContext(request));
      return { success: true as const, message: "Password has been reset: log in with the new password" };
    },
  );
};
