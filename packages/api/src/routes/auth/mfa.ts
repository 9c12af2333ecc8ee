import type { SecondFactorProof } from "@gatehouse/application";
import { DomainError, type WebAuthnResponseJson } from "@gatehouse/domain";
import { requestContext } from "../../http/request-context.js";
import { Envelope, errorResponses, ok } from "../../schemas/envelope.js";
import { MfaTokenBody, MfaVerifyBody, WebAuthnOptionsData } from "../../schemas/mfa-schemas.js";
import { LoginData } from "../../schemas/user-schemas.js";
import { loginResponse } from "../responses.js";
import type { RoutesPlugin } from "../routes-plugin.js";

/** The body's proof as the use case takes it: `code` for the code methods, `assertion` for a passkey. */
function proofOf(body: {
  method: SecondFactorProof["method"];
  code?: string;
  assertion?: WebAuthnResponseJson;
}): SecondFactorProof {
  if (body.method === "webauthn") {
    if (body.assertion !== undefined) return { method: "webauthn", assertion: body.assertion };
    throw new DomainError("VALIDATION_ERROR", undefined, [{ field: "assertion", message: "is required for webauthn" }]);
  }
  if (body.code !== undefined) return { method: body.method, code: body.code };
  throw new DomainError("VALIDATION_ERROR", undefined, [{ field: "code", message: `is required for ${body.method}` }]);
}

/** POST /api/v1/auth/mfa/verify: the second step of a login the MFA gate held (and a passkey's options for it). */
export const mfaLoginRoutes: RoutesPlugin = async (app, { options }) => {
  const { mfa } = options.useCases;
  if (mfa === undefined) return;

  app.post(
    "/api/v1/auth/mfa/webauthn/options",
    {
      config: { rateLimit: "auth" },
      schema: {
        tags: ["auth"],
        summary: "Passkey options for the second step of a login",
        description:
          "Options for navigator.credentials.get() with the user's passkeys allowed and a challenge bound to this " +
          "`mfa_token` (single use, 5 minutes, kept server-side; the token is not used up here). Send the assertion " +
          "to POST /api/v1/auth/mfa/verify with method `webauthn`. 401 MFA_TOKEN_INVALID as there; 409 " +
          "MFA_NOT_ENROLLED when the user has no passkey.",
        operationId: "passkeySecondFactorOptions",
        body: MfaTokenBody,
        response: { 200: Envelope(WebAuthnOptionsData), ...errorResponses(400, 401, 409, 413, 415, 429) },
      },
    },
    async (request) => ok(await mfa.passkeySecondFactorOptions(request.body.mfa_token, requestContext(request))),
  );

  app.post(
    "/api/v1/auth/mfa/verify",
    {
      config: { rateLimit: "auth" },
      schema: {
        tags: ["auth"],
        summary: "Complete a login with a second factor",
        description:
          "The `mfa_token` from the login answer (single use: a wrong code means logging in again; only from the " +
          "client that logged in) and a proof: `code` for `totp` (6 digits, each time step once) or `recovery_code` " +
          "(each code once; the owner is mailed), `assertion` for `webauthn` (signing the challenge of POST " +
          "/api/v1/auth/mfa/webauthn/options; `amr` gets hwk or swk). Answers the normal token pair at `acr` aal2. " +
          "Unknown, used, expired or foreign tokens: 401 MFA_TOKEN_INVALID; a wrong code or an assertion that does " +
          "not verify (signature, origin, unknown credential, counter regression): 400 MFA_CODE_INVALID, counted " +
          "against the account's failed-login budget (429 when spent); a passkey challenge that is unknown, expired, " +
          "used or of another token: 400 WEBAUTHN_CHALLENGE_INVALID.",
        operationId: "verifyMfaLogin",
        body: MfaVerifyBody,
        response: { 200: Envelope(LoginData), ...errorResponses(400, 401, 403, 413, 415, 429) },
      },
    },
    async (request) => {
      const body = request.body;
      const input = { mfaToken: body.mfa_token, ...proofOf(body as Parameters<typeof proofOf>[0]) };
      const result = await mfa.verifyMfaLogin(input, requestContext(request));
      return ok(loginResponse(result), "Login successful");
    },
  );
};
