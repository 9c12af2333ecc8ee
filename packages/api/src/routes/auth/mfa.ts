import type { SecondFactorProof } from "@gatehouse/application";
import { DomainError, type WebAuthnResponseJson } from "@gatehouse/domain";
import { claimsOf } from "../../http/auth-hook.js";
import { requestContext } from "../../http/request-context.js";
import { Envelope, errorResponses, ok } from "../../schemas/envelope.js";
import { MfaTokenBody, MfaVerifyBody, StepUpBody, StepUpData, WebAuthnOptionsData } from "../../schemas/mfa-schemas.js";
import { LoginData } from "../../schemas/user-schemas.js";
import { loginResponse } from "../responses.js";
import { bearer, type RoutesPlugin } from "../routes-plugin.js";

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

/**
 * POST /api/v1/auth/mfa/verify: the second step of a login the MFA gate held (and a passkey's
 * options for it); POST /api/v1/auth/mfa/step-up: the same proof raising a live session (RFC 9470).
 */
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

  app.post(
    "/api/v1/auth/mfa/step-up/webauthn/options",
    {
      config: { auth: true, rateLimit: "auth" },
      schema: {
        tags: ["auth"],
        summary: "Passkey options for a step-up",
        description:
          "Options for navigator.credentials.get() with the caller's passkeys allowed and a challenge bound to the " +
          "caller's session (single use, 5 minutes, kept server-side). Send the assertion to POST " +
          "/api/v1/auth/mfa/step-up with method `webauthn`. 409 MFA_NOT_ENROLLED when the caller has no passkey.",
        operationId: "stepUpPasskeyOptions",
        security: bearer,
        response: { 200: Envelope(WebAuthnOptionsData), ...errorResponses(401, 409, 429) },
      },
    },
    async (request) => ok(await mfa.stepUpPasskeyOptions(claimsOf(request))),
  );

  app.post(
    "/api/v1/auth/mfa/step-up",
    {
      config: { auth: true, rateLimit: "auth" },
      schema: {
        tags: ["auth"],
        summary: "Raise the current session to aal2 (step-up)",
        description:
          "RFC 9470: answer a 401 INSUFFICIENT_USER_AUTHENTICATION by proving a second factor here, with the bearer " +
          "token of the session to raise. The proofs are those of POST /api/v1/auth/mfa/verify (`code` for totp or " +
          "recovery_code, `assertion` for webauthn signing the challenge of POST " +
          "/api/v1/auth/mfa/step-up/webauthn/options). The session's level becomes aal2 with `auth_time` now: the " +
          "answer is a new access token, and the session's refresh token keeps working and yields aal2 tokens too. " +
          "A wrong code or an assertion that does not verify: 400 MFA_CODE_INVALID, counted against the account's " +
          "failed-login budget (429 when spent); 400 WEBAUTHN_CHALLENGE_INVALID for an unknown, used or foreign challenge.",
        operationId: "stepUp",
        security: bearer,
        body: StepUpBody,
        response: { 200: Envelope(StepUpData), ...errorResponses(400, 401, 413, 415, 429) },
      },
    },
    async (request) => {
      const proof = proofOf(request.body as Parameters<typeof proofOf>[0]);
      const { accessToken, assurance } = await mfa.stepUp(claimsOf(request), proof, requestContext(request));
      return ok(
        {
          access_token: accessToken.token,
          token_type: "Bearer" as const,
          expires_in: accessToken.expiresIn,
          acr: "aal2" as const,
          amr: [...assurance.amr],
          auth_time: Math.floor(assurance.authTime.getTime() / 1000),
        },
        "Session raised to aal2",
      );
    },
  );
};
