import { requestContext } from "../../http/request-context.js";
import { Envelope, errorResponses, ok } from "../../schemas/envelope.js";
import { MfaVerifyBody } from "../../schemas/mfa-schemas.js";
import { LoginData } from "../../schemas/user-schemas.js";
import { loginResponse } from "../responses.js";
import type { RoutesPlugin } from "../routes-plugin.js";

/** POST /api/v1/auth/mfa/verify: the second step of a login the MFA gate held. */
export const mfaLoginRoutes: RoutesPlugin = async (app, { options }) => {
  const { mfa } = options.useCases;
  if (mfa === undefined) return;

  app.post(
    "/api/v1/auth/mfa/verify",
    {
      config: { rateLimit: "auth" },
      schema: {
        tags: ["auth"],
        summary: "Complete a login with a second factor",
        description:
          "The `mfa_token` from the login answer (single use: a wrong code means logging in again; only from the " +
          "client that logged in) and a code: `totp` (6 digits, each time step once) or `recovery_code` (each code " +
          "once; the owner is mailed). Answers the normal token pair at `acr` aal2. Unknown, used, expired or " +
          "foreign tokens: 401 MFA_TOKEN_INVALID; a wrong code: 400 MFA_CODE_INVALID, counted against the " +
          "account's failed-login budget (429 when spent).",
        operationId: "verifyMfaLogin",
        body: MfaVerifyBody,
        response: { 200: Envelope(LoginData), ...errorResponses(400, 401, 403, 413, 415, 429) },
      },
    },
    async (request) => {
      const { mfa_token, method, code } = request.body;
      const result = await mfa.verifyMfaLogin({ mfaToken: mfa_token, method, code }, requestContext(request));
      return ok(loginResponse(result), "Login successful");
    },
  );
};
