import { requestContext } from "../http/request-context.js";
import { holdUntilFloor, withinFloor } from "../http/response-floor.js";
import { done, Envelope, errorResponses, MessageOnly, ok } from "../schemas/envelope.js";
import {
  EmailAvailability,
  EmailBody,
  RegisterBody,
  RegisteredUser,
  VerifiedUser,
  VerifyBody,
} from "../schemas/user-schemas.js";
import { registeredUserResponse } from "./responses.js";
import type { RoutesPlugin } from "./routes-plugin.js";

const tags = ["registration"];

// One answer for every address, so the response says nothing about which accounts exist.
const RESEND_ANSWER = "If a registration is waiting for this address, a new code has been sent";

/**
 * Self-registration: POST /api/v1/register (and its /api/v1/auth/register alias), then
 * /register/verify, /register/resend and /register/check-email.
 */
export const registerRoutes: RoutesPlugin = async (app, { options }) => {
  const { registration } = options.useCases;
  const floors = options.responseFloors;

  const registerSchema = {
    tags: ["auth"],
    summary: "Register a new user",
    description:
      "Creates a user with the `user` role. With REQUIRE_EMAIL_VERIFICATION (default) the user starts in " +
      "`pending_verification` and a code and link are emailed; otherwise it starts `active` (or " +
      "`pending_approval` with REQUIRE_ADMIN_APPROVAL). An expired, never-verified registration of the same " +
      "email or username is replaced. With ENUMERATION_PROTECTION a taken email gets the same 201 (the owner " +
      "is emailed instead), and a taken username is 409 DUPLICATE_USERNAME whether or not the email has an " +
      "account. Also served at POST /api/v1/register.",
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
        // Refusals wait for the floor too: a taken username is answered after the same time whether
        // or not the email has an account (whose owner is mailed on that path).
        const result = await withinFloor(reply, floors?.registerMs, () =>
          registration.registerUser(
            { username, email, password, fullName: full_name ?? null, phoneNumber: phone_number ?? null },
            requestContext(request),
          ),
        );
        const expiresAt = result.verificationExpiresAt;
        return reply.code(201).send(
          ok(
            {
              ...registeredUserResponse(result.user),
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
    "/api/v1/register/verify",
    {
      // Anonymous and guessable: counted in the strict per-IP login budget.
      config: { rateLimit: "auth" },
      schema: {
        tags,
        summary: "Verify the email address of a registration",
        description:
          "`{ email, code }` or `{ token }` (from the link). Moves the account to `active`, or to `pending_approval` " +
          "when REQUIRE_ADMIN_APPROVAL is on. Wrong code, burned code (after 5 wrong codes: resend) and unknown " +
          "address alike: 400 INVALID_VERIFICATION_CODE; expired: 410 VERIFICATION_EXPIRED; already verified: 409 ALREADY_VERIFIED.",
        operationId: "verifyRegistration",
        body: VerifyBody,
        response: { 200: Envelope(VerifiedUser), ...errorResponses(400, 409, 410, 413, 415) },
      },
    },
    async (request, reply) => {
      const user = await withinFloor(reply, floors?.mailRequestsMs, () =>
        registration.verifyEmail(request.body, requestContext(request)),
      );
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
        tags,
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
      await registration.resendVerification(request.body.email, requestContext(request));
      await holdUntilFloor(reply, floors?.mailRequestsMs);
      return done(RESEND_ANSWER);
    },
  );

  const { checkEmail } = registration;
  if (checkEmail !== undefined) {
    app.post(
      "/api/v1/register/check-email",
      {
        // Anonymous and guessable: counted in the strict per-IP login budget.
        config: { rateLimit: "auth" },
        schema: {
          tags,
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
};
