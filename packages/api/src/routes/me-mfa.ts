import type { WebAuthnResponseJson } from "@gatehouse/domain";
import { SENSITIVE } from "../http/assurance-hook.js";
import { claimsOf } from "../http/auth-hook.js";
import { requestContext } from "../http/request-context.js";
import { done, Envelope, errorResponses, MessageOnly, ok } from "../schemas/envelope.js";
import {
  FactorIdParams,
  MfaFactorList,
  PasskeyRegistrationBody,
  PasskeyRegistrationData,
  RecoveryCodesData,
  TotpCodeBody,
  TotpEnrolmentData,
  WebAuthnOptionsData,
} from "../schemas/mfa-schemas.js";
import { mfaFactorResponse, totpEnrolmentResponse } from "./responses.js";
import { bearer, type RoutesPlugin } from "./routes-plugin.js";

const tags = ["users"];
const BASE = "/api/v1/users/me/mfa";

/**
 * /api/v1/users/me/mfa: the signed-in user's second factors (README "Two-factor
 * authentication"): enrol an authenticator app or a passkey, recovery codes, list, remove.
 */
export const meMfaRoutes: RoutesPlugin = async (app, { options }) => {
  const { mfa } = options.useCases;
  if (mfa === undefined) return;

  app.get(
    BASE,
    {
      config: { auth: true },
      schema: {
        tags,
        summary: "The signed-in user's second factors",
        description: "Confirmed factors, oldest first; never a secret. Recovery codes show how many are unused.",
        operationId: "listMyMfaFactors",
        security: bearer,
        response: { 200: Envelope(MfaFactorList), ...errorResponses(401, 403) },
      },
    },
    async (request) => {
      const items = await mfa.listFactors(claimsOf(request).sub);
      return ok({ items: items.map(mfaFactorResponse) });
    },
  );

  app.post(
    `${BASE}/totp`,
    {
      config: { auth: true, rateLimit: "auth" },
      schema: {
        tags,
        summary: "Start enrolling an authenticator app",
        description:
          "A new TOTP secret (RFC 6238: SHA-1, 6 digits, 30 s) as base32, `otpauth://` URI and QR code. It guards " +
          "nothing until POST /api/v1/users/me/mfa/totp/verify confirms it; calling this again replaces a pending " +
          "enrolment. 409 MFA_ALREADY_ENROLLED when an app is already enrolled.",
        operationId: "startTotpEnrolment",
        security: bearer,
        response: { 200: Envelope(TotpEnrolmentData), ...errorResponses(401, 403, 409, 429) },
      },
    },
    async (request) => {
      return ok(totpEnrolmentResponse(await mfa.startTotpEnrolment(claimsOf(request).sub)));
    },
  );

  app.post(
    `${BASE}/totp/verify`,
    {
      config: { auth: true, rateLimit: "auth" },
      schema: {
        tags,
        summary: "Confirm the authenticator app with its first code",
        description:
          "The factor exists from here on: later logins ask for a code. Answers the 10 recovery codes, shown only " +
          "this once. 400 MFA_CODE_INVALID for a wrong code; 409 MFA_ENROLLMENT_NOT_STARTED or MFA_ALREADY_ENROLLED.",
        operationId: "confirmTotpEnrolment",
        security: bearer,
        body: TotpCodeBody,
        response: { 200: Envelope(RecoveryCodesData), ...errorResponses(400, 401, 403, 409, 413, 415, 429) },
      },
    },
    async (request) => {
      const result = await mfa.confirmTotpEnrolment(claimsOf(request).sub, request.body.code, requestContext(request));
      return ok({ recovery_codes: result.recoveryCodes }, "Two-factor authentication enabled");
    },
  );

  app.post(
    `${BASE}/webauthn/options`,
    {
      config: { auth: true, rateLimit: "auth" },
      schema: {
        tags,
        summary: "Start registering a passkey",
        description:
          "Options for navigator.credentials.create(): resident key and user verification preferred, the caller's " +
          "passkeys excluded; the challenge is single use, lives 5 minutes and is kept server-side. When a factor " +
          "already guards the account: 401 INSUFFICIENT_USER_AUTHENTICATION unless the token is at acr aal2.",
        operationId: "startPasskeyRegistration",
        security: bearer,
        response: { 200: Envelope(WebAuthnOptionsData), ...errorResponses(401, 403, 429) },
      },
    },
    async (request) => {
      const { sub, acr } = claimsOf(request);
      return ok(await mfa.startPasskeyRegistration({ userId: sub, acr }));
    },
  );

  app.post(
    `${BASE}/webauthn/verify`,
    {
      config: { auth: true, rateLimit: "auth" },
      schema: {
        tags,
        summary: "Finish registering a passkey",
        description:
          "The credential navigator.credentials.create() made with the options of POST " +
          "/api/v1/users/me/mfa/webauthn/options. The factor exists from here on: later logins ask for it. A user " +
          "without recovery codes gets a first set, shown only this once. 400 WEBAUTHN_CHALLENGE_INVALID (unknown, " +
          "expired or used challenge), 400 WEBAUTHN_VERIFICATION_FAILED (origin, RP id or attestation), 409 " +
          "WEBAUTHN_CREDENTIAL_EXISTS.",
        operationId: "finishPasskeyRegistration",
        security: bearer,
        body: PasskeyRegistrationBody,
        response: { 200: Envelope(PasskeyRegistrationData), ...errorResponses(400, 401, 403, 409, 413, 415, 429) },
      },
    },
    async (request) => {
      const { credential, name } = request.body;
      const result = await mfa.finishPasskeyRegistration(
        claimsOf(request).sub,
        { response: credential as WebAuthnResponseJson, ...(name === undefined ? {} : { name }) },
        requestContext(request),
      );
      return ok({ factor_id: result.factorId, recovery_codes: result.recoveryCodes }, "Passkey registered");
    },
  );

  app.post(
    `${BASE}/recovery-codes`,
    {
      config: { auth: true, rateLimit: "auth", ...SENSITIVE },
      schema: {
        tags,
        summary: "Regenerate recovery codes",
        description:
          "10 new codes, shown once; the old set stops working. 409 MFA_NOT_ENROLLED without an app; 401 " +
          "INSUFFICIENT_USER_AUTHENTICATION (RFC 9470 WWW-Authenticate) unless the token is at acr aal2.",
        operationId: "regenerateRecoveryCodes",
        security: bearer,
        response: { 200: Envelope(RecoveryCodesData), ...errorResponses(401, 403, 409, 429) },
      },
    },
    async (request) => {
      const { sub, acr } = claimsOf(request);
      const codes = await mfa.regenerateRecoveryCodes({ userId: sub, acr }, requestContext(request));
      return ok({ recovery_codes: codes }, "Recovery codes regenerated");
    },
  );

  app.delete(
    `${BASE}/:id`,
    {
      config: { auth: true, ...SENSITIVE },
      schema: {
        tags,
        summary: "Remove a second factor",
        description:
          "Removing the last authenticator also removes the recovery codes. 404 MFA_FACTOR_NOT_FOUND for a factor " +
          "that is not the caller's; 401 INSUFFICIENT_USER_AUTHENTICATION (RFC 9470 WWW-Authenticate) unless the " +
          "token is at acr aal2.",
        operationId: "removeMyMfaFactor",
        security: bearer,
        params: FactorIdParams,
        response: { 200: MessageOnly, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { sub, acr } = claimsOf(request);
      await mfa.removeFactor({ userId: sub, acr }, request.params.id, requestContext(request));
      return done("Second factor removed");
    },
  );
};
