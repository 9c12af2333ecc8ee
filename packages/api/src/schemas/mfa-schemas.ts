import { Type } from "typebox";

const DateTime = Type.String({ format: "date-time" });
const Uuid = Type.String({ format: "uuid" });
const SecondFactorMethod = Type.Union([Type.Literal("totp"), Type.Literal("recovery_code"), Type.Literal("webauthn")]);

/**
 * A `PublicKeyCredential` as the browser's `toJSON()` gives it. Its inner fields are checked by
 * the WebAuthn verification itself; here only the envelope and sizes are bounded.
 */
export const WebAuthnCredentialJson = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 1400 }),
    rawId: Type.String({ minLength: 1, maxLength: 1400 }),
    type: Type.Literal("public-key"),
    response: Type.Record(Type.String(), Type.Unknown()),
    clientExtensionResults: Type.Record(Type.String(), Type.Unknown()),
    authenticatorAttachment: Type.Optional(Type.String({ maxLength: 32 })),
  },
  { description: "The PublicKeyCredential's toJSON() from navigator.credentials.create() or .get()" },
);

/** Options for navigator.credentials.create()/get(), for `PublicKeyCredential.parse…OptionsFromJSON`. */
export const WebAuthnOptionsData = Type.Object(
  { challenge: Type.String({ description: "base64url; single use, 5 minutes, kept server-side" }) },
  { additionalProperties: true, description: "PublicKeyCredentialCreationOptionsJSON or …RequestOptionsJSON" },
);

export const PasskeyRegistrationBody = Type.Object(
  {
    credential: WebAuthnCredentialJson,
    name: Type.Optional(Type.String({ maxLength: 64, description: "A label for the factor list" })),
  },
  { additionalProperties: false },
);

export const PasskeyRegistrationData = Type.Object({
  factor_id: Uuid,
  recovery_codes: Type.Union([Type.Array(Type.String()), Type.Null()], {
    description: "A first set when the user had none: shown once. Null when a set exists already",
  }),
});

export const MfaTokenBody = Type.Object(
  { mfa_token: Type.String({ minLength: 1, maxLength: 128 }) },
  { additionalProperties: false },
);

export const PasskeyLoginBody = Type.Object({ assertion: WebAuthnCredentialJson }, { additionalProperties: false });

/** What login (password or federated) answers instead of tokens when the user has a second factor. */
export const MfaChallengeData = Type.Object(
  {
    mfa_required: Type.Literal(true),
    mfa_enrollment_required: Type.Boolean({
      description:
        "MFA_POLICY requires a factor this user has none of: the token only enrols, at POST " +
        "/api/v1/auth/mfa/enroll/totp and …/totp/verify (which then signs in); `factors` is empty",
    }),
    mfa_token: Type.String({
      description:
        "Single use, 5 minutes, only from this client: send it to POST /api/v1/auth/mfa/verify (or, when " +
        "mfa_enrollment_required, to the enrolment routes)",
    }),
    expires_in: Type.Integer({ description: "Seconds the mfa_token lives" }),
    factors: Type.Array(SecondFactorMethod, { description: "The methods /auth/mfa/verify accepts" }),
  },
  { description: "The password was right; a second factor is needed. No tokens yet." },
);

export const MfaVerifyBody = Type.Object(
  {
    mfa_token: Type.String({ minLength: 1, maxLength: 128 }),
    method: SecondFactorMethod,
    code: Type.Optional(
      Type.String({ minLength: 1, maxLength: 32, description: "totp: 6 digits from the app; recovery_code: a code" }),
    ),
    assertion: Type.Optional(WebAuthnCredentialJson),
  },
  { additionalProperties: false, description: "`code` for totp and recovery_code, `assertion` for webauthn" },
);

export const StepUpBody = Type.Object(
  {
    method: SecondFactorMethod,
    code: Type.Optional(
      Type.String({ minLength: 1, maxLength: 32, description: "totp: 6 digits from the app; recovery_code: a code" }),
    ),
    assertion: Type.Optional(WebAuthnCredentialJson),
  },
  {
    additionalProperties: false,
    description:
      "`code` for totp and recovery_code, `assertion` for webauthn (options from …/step-up/webauthn/options)",
  },
);

export const StepUpData = Type.Object(
  {
    access_token: Type.String({ description: "A new access token of the same session, at acr aal2" }),
    token_type: Type.Literal("Bearer"),
    expires_in: Type.Integer({ description: "Access-token lifetime in seconds" }),
    acr: Type.Literal("aal2"),
    amr: Type.Array(Type.String(), { description: "RFC 8176 methods the session has now proven" }),
    auth_time: Type.Integer({ description: "Now, seconds since the epoch: max_age counts from here" }),
  },
  { description: "The session's level rose: its refresh token keeps working and yields aal2 tokens from now on" },
);

export const EnrolmentVerifyBody = Type.Object(
  {
    mfa_token: Type.String({ minLength: 1, maxLength: 128 }),
    code: Type.String({ minLength: 1, maxLength: 32, description: "6 digits from the newly added app" }),
  },
  { additionalProperties: false },
);

export const TotpEnrolmentData = Type.Object({
  factor_id: Uuid,
  secret: Type.String({ description: "Base32, for apps that cannot scan" }),
  otpauth_uri: Type.String(),
  qr_code: Type.String({ description: "The otpauth URI as a QR code: an SVG data URL" }),
});

export const TotpCodeBody = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 16, description: "6 digits from the app" }) },
  { additionalProperties: false },
);

export const RecoveryCodesData = Type.Object({
  recovery_codes: Type.Array(Type.String(), { description: "Shown once; each works once" }),
});

export const MfaFactorItem = Type.Object({
  id: Uuid,
  type: Type.Union([Type.Literal("totp"), Type.Literal("recovery_codes"), Type.Literal("webauthn")]),
  created_at: DateTime,
  confirmed_at: DateTime,
  last_used_at: Type.Union([DateTime, Type.Null()]),
  remaining_codes: Type.Union([Type.Integer(), Type.Null()], { description: "Recovery codes: how many are unused" }),
});

export const MfaFactorList = Type.Object({ items: Type.Array(MfaFactorItem) });

export const FactorIdParams = Type.Object({ id: Uuid }, { additionalProperties: false });
