import { Type } from "typebox";

const DateTime = Type.String({ format: "date-time" });
const Uuid = Type.String({ format: "uuid" });

export const AccountStatusSchema = Type.Union(
  [
    Type.Literal("pending_verification"),
    Type.Literal("pending_approval"),
    Type.Literal("active"),
    Type.Literal("suspended"),
    Type.Literal("deactivated"),
  ],
  { $id: "AccountStatus" },
);

export const RegisterBody = Type.Object(
  {
    username: Type.String({
      maxLength: 200,
      description: "3-50 characters: letters, digits, '_', '.', '-'; unique case-insensitively",
      examples: ["ada.lovelace"],
    }),
    email: Type.String({ maxLength: 320, description: "Unique case-insensitively", examples: ["ada@example.com"] }),
    password: Type.String({
      maxLength: 1024,
      description: "8-128 characters (minimum configurable) with an upper-case letter, a lower-case letter and a digit",
      examples: ["Correct-Horse-9"],
    }),
    full_name: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    phone_number: Type.Optional(Type.Union([Type.String({ maxLength: 50 }), Type.Null()])),
  },
  { $id: "RegisterRequest", additionalProperties: false },
);

/** The fields every user representation shares. */
const UserFields = {
  id: Uuid,
  username: Type.String(),
  email: Type.String(),
  full_name: Type.Union([Type.String(), Type.Null()]),
  phone_number: Type.Union([Type.String(), Type.Null()]),
  status: AccountStatusSchema,
  created_at: DateTime,
};

export const RegisteredUser = Type.Object(
  {
    ...UserFields,
    verification_expires_at: Type.Union([DateTime, Type.Null()], {
      description: "Until when the mailed verification code is valid; null when verification is off",
    }),
  },
  { $id: "RegisteredUser" },
);

// No `examples` here: the OpenAPI conversion does not rewrite them inside anyOf bodies.
const EmailField = Type.String({ maxLength: 320 });
const CodeField = Type.String({ maxLength: 16, description: "The 6-digit code from the email, e.g. 042917" });
const TokenField = Type.String({ minLength: 1, maxLength: 256, description: "The token from the emailed link" });
const NewPasswordField = Type.String({
  maxLength: 1024,
  description: "Same rules as at registration; must differ from the current password",
});

export const VerifyBody = Type.Union(
  [
    Type.Object({ email: EmailField, code: CodeField }, { additionalProperties: false }),
    Type.Object({ token: TokenField }, { additionalProperties: false }),
  ],
  { $id: "VerifyEmailRequest", description: "Either the email and the typed code, or the link token" },
);

export const VerifiedUser = Type.Object(
  { id: Uuid, email: Type.String(), status: AccountStatusSchema },
  { $id: "VerifiedUser" },
);

export const EmailBody = Type.Object({ email: EmailField }, { $id: "EmailRequest", additionalProperties: false });

export const EmailAvailability = Type.Object({ available: Type.Boolean() }, { $id: "EmailAvailability" });

export const ResetPasswordBody = Type.Union(
  [
    Type.Object({ token: TokenField, new_password: NewPasswordField }, { additionalProperties: false }),
    Type.Object(
      { email: EmailField, code: CodeField, new_password: NewPasswordField },
      { additionalProperties: false },
    ),
  ],
  { $id: "ResetPasswordRequest" },
);

export const UpdateProfileBody = Type.Object(
  {
    username: Type.Optional(Type.String({ maxLength: 200 })),
    full_name: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
    phone_number: Type.Optional(Type.Union([Type.String({ maxLength: 50 }), Type.Null()])),
    email: Type.Optional(
      Type.String({ maxLength: 320, description: "A new address: needs current_password and a mailed code" }),
    ),
    current_password: Type.Optional(Type.String({ maxLength: 1024 })),
  },
  { $id: "UpdateProfileRequest", additionalProperties: false },
);

export const ConfirmEmailBody = Type.Union(
  [
    Type.Object({ code: CodeField }, { additionalProperties: false }),
    Type.Object({ token: TokenField }, { additionalProperties: false }),
  ],
  { $id: "ConfirmEmailRequest" },
);

export const LoginBody = Type.Object(
  {
    email: Type.String({ maxLength: 320, examples: ["ada@example.com"] }),
    password: Type.String({ maxLength: 1024, examples: ["Correct-Horse-9"] }),
  },
  { $id: "LoginRequest", additionalProperties: false },
);

const TokenFields = {
  access_token: Type.String({ description: "JWT (HS256), send as `Authorization: Bearer …`" }),
  refresh_token: Type.String({ description: "Opaque, single use: each refresh returns a new one" }),
  token_type: Type.Literal("Bearer"),
  expires_in: Type.Integer({ description: "Access-token lifetime in seconds" }),
  refresh_expires_in: Type.Integer({
    description: "Seconds until this refresh token expires: its lifetime, or less near the session's absolute end",
  }),
};

export const LoginData = Type.Object(
  {
    ...TokenFields,
    device_token: Type.Optional(
      Type.String({
        description:
          "Password logins: this client's new device token (also set as the HttpOnly `gh_device` cookie). Send it " +
          "back in `X-Device-Token` on later logins and password prompts: failures then spend this device's own " +
          "budget, so attackers elsewhere cannot lock you out. Each login replaces it.",
      }),
    ),
    device_token_expires_in: Type.Optional(Type.Integer({ description: "Seconds until the device token expires" })),
    user: Type.Object({ id: Uuid, username: Type.String(), email: Type.String(), roles: Type.Array(Type.String()) }),
  },
  { $id: "LoginResult", description: "A token pair and who it belongs to" },
);

export const RefreshBody = Type.Object(
  { refresh_token: Type.String({ minLength: 1, maxLength: 512 }) },
  { $id: "RefreshRequest", additionalProperties: false },
);

export const RefreshData = Type.Object(TokenFields, { $id: "TokenPair" });

export const LogoutBody = Type.Object(
  {
    refresh_token: Type.Optional(
      Type.String({ minLength: 1, maxLength: 512, description: "End this refresh token's session" }),
    ),
    all_devices: Type.Optional(Type.Boolean({ default: false, description: "End every session of the user" })),
  },
  { $id: "LogoutRequest", additionalProperties: false },
);

const CurrentUserFields = {
  ...UserFields,
  is_active: Type.Boolean(),
  email_verified_at: Type.Union([DateTime, Type.Null()]),
  roles: Type.Array(Type.Object({ id: Uuid, name: Type.String(), permissions: Type.Array(Type.String()) })),
  updated_at: DateTime,
};

export const CurrentUser = Type.Object(CurrentUserFields, { $id: "User", description: "The signed-in user" });

export const UpdatedProfile = Type.Object(
  {
    ...CurrentUserFields,
    pending_email: Type.Union([Type.String(), Type.Null()], {
      description: "The new address waiting for its code; the login email changes once it is confirmed",
    }),
  },
  { $id: "UpdatedProfile" },
);
