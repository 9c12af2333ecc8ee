import { Type } from "typebox";
import { requestContext } from "../../http/request-context.js";
import { Envelope, errorResponses, ok } from "../../schemas/envelope.js";
import { EnrolmentVerifyBody, MfaTokenBody, TotpEnrolmentData } from "../../schemas/mfa-schemas.js";
import { LoginData } from "../../schemas/user-schemas.js";
import { loginResponse, totpEnrolmentResponse } from "../responses.js";
import type { RoutesPlugin } from "../routes-plugin.js";

const EnrolledLoginData = Type.Object(
  {
    ...LoginData.properties,
    recovery_codes: Type.Array(Type.String(), { description: "The first recovery codes: shown once; each works once" }),
  },
  { description: "The app is enrolled and the held login finished: a token pair at acr aal2" },
);

/**
 * POST /api/v1/auth/mfa/enroll/totp(/verify): the enrolment MFA_POLICY requires of a user who
 * signs in without a factor. The login answered an enrolment-only `mfa_token`; these two
 * routes are all it opens, and finishing the enrolment finishes the login.
 */
export const mfaEnrolmentRoutes: RoutesPlugin = async (app, { options }) => {
  const { mfa } = options.useCases;
  if (mfa === undefined) return;

  app.post(
    "/api/v1/auth/mfa/enroll/totp",
    {
      config: { rateLimit: "auth" },
      schema: {
        tags: ["auth"],
        summary: "Start the app enrolment a sign-in policy requires",
        description:
          "For a login answered with `mfa_enrollment_required: true`: the enrolment-only `mfa_token` (not used up " +
          "here) gets a new TOTP secret, as POST /api/v1/users/me/mfa/totp gives a signed-in user. 401 " +
          "MFA_TOKEN_INVALID for an unknown, expired or foreign token, or a login's token (which cannot enrol).",
        operationId: "startRequiredTotpEnrolment",
        body: MfaTokenBody,
        response: { 200: Envelope(TotpEnrolmentData), ...errorResponses(400, 401, 409, 413, 415, 429) },
      },
    },
    async (request) =>
      ok(totpEnrolmentResponse(await mfa.startRequiredTotpEnrolment(request.body.mfa_token, requestContext(request)))),
  );

  app.post(
    "/api/v1/auth/mfa/enroll/totp/verify",
    {
      config: { rateLimit: "auth" },
      schema: {
        tags: ["auth"],
        summary: "Confirm the required app and finish the login",
        description:
          "The first code from the app confirms it (a wrong one: 400 MFA_CODE_INVALID, the token stays usable); the " +
          "enrolment-only `mfa_token` is then used up and the held login finishes with the normal token pair at " +
          "`acr` aal2 (`amr` the first factor plus otp and mfa) and the first recovery codes, shown once.",
        operationId: "finishRequiredTotpEnrolment",
        body: EnrolmentVerifyBody,
        response: { 200: Envelope(EnrolledLoginData), ...errorResponses(400, 401, 403, 409, 413, 415, 429) },
      },
    },
    async (request) => {
      const input = { mfaToken: request.body.mfa_token, code: request.body.code };
      const result = await mfa.finishRequiredTotpEnrolment(input, requestContext(request));
      return ok({ ...loginResponse(result), recovery_codes: result.recoveryCodes }, "Login successful");
    },
  );
};
