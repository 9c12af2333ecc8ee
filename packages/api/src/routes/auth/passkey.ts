import type { WebAuthnResponseJson } from "@gatehouse/domain";
import { requestContext } from "../../http/request-context.js";
import { Envelope, errorResponses, ok } from "../../schemas/envelope.js";
import { PasskeyLoginBody, WebAuthnOptionsData } from "../../schemas/mfa-schemas.js";
import { LoginData } from "../../schemas/user-schemas.js";
import { loginResponse } from "../responses.js";
import type { RoutesPlugin } from "../routes-plugin.js";

/** POST /api/v1/auth/passkey/options and /login: passwordless sign-in, only with PASSKEY_LOGIN=true. */
export const passkeyLoginRoutes: RoutesPlugin = async (app, { options }) => {
  const passkeys = options.useCases.passkeyLogin;
  if (passkeys === undefined) return;

  app.post(
    "/api/v1/auth/passkey/options",
    {
      config: { rateLimit: "auth" },
      schema: {
        tags: ["auth"],
        summary: "Start a passwordless sign-in with a passkey",
        description:
          "Options for navigator.credentials.get() with no allowed credentials (the browser offers its " +
          "discoverable passkeys for this site) and user verification required. The challenge is single use, lives " +
          "5 minutes and is kept server-side.",
        operationId: "passkeyLoginOptions",
        response: { 200: Envelope(WebAuthnOptionsData), ...errorResponses(429) },
      },
    },
    async () => ok(await passkeys.passkeyLoginOptions()),
  );

  app.post(
    "/api/v1/auth/passkey/login",
    {
      config: { rateLimit: "auth" },
      schema: {
        tags: ["auth"],
        summary: "Sign in with a passkey",
        description:
          "The assertion of a discoverable passkey over the challenge of POST /api/v1/auth/passkey/options, made " +
          "with user verification. Answers the normal token pair at `acr` aal2, `amr` [hwk or swk, user] (swk for a " +
          "backup-eligible, synced passkey). 400 WEBAUTHN_CHALLENGE_INVALID for an unknown, expired or used challenge; " +
          "401 PASSKEY_LOGIN_FAILED for an unknown credential, a signature that does not verify, no user " +
          "verification or a counter that did not advance (one answer, so it never says whether a credential " +
          "belongs to an account); 403 for a blocked account (after the proof); 429 when the account's failure " +
          "budget is spent.",
        operationId: "logInWithPasskey",
        body: PasskeyLoginBody,
        response: { 200: Envelope(LoginData), ...errorResponses(400, 401, 403, 413, 415, 429) },
      },
    },
    async (request) => {
      const assertion = request.body.assertion as WebAuthnResponseJson;
      const result = await passkeys.logInWithPasskey(assertion, requestContext(request));
      return ok(loginResponse(result), "Login successful");
    },
  );
};
