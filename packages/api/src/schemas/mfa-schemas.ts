import { Type } from "typebox";

const DateTime = Type.String({ format: "date-time" });
const Uuid = Type.String({ format: "uuid" });
const SecondFactorMethod = Type.Union([Type.Literal("totp"), Type.Literal("recovery_code")]);

/** What login (password or federated) answers instead of tokens when the user has a second factor. */
export const MfaChallengeData = Type.Object(
  {
    mfa_required: Type.Literal(true),
    mfa_token: Type.String({
      description: "Single use, 5 minutes, only from this client: send it to POST /api/v1/auth/mfa/verify",
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
    code: Type.String({ minLength: 1, maxLength: 32, description: "6 digits from the app, or a recovery code" }),
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
