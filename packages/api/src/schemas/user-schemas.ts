import { Type } from "typebox";

const DateTime = Type.String({ format: "date-time" });
const Uuid = Type.String({ format: "uuid" });

export const AccountStatusSchema = Type.Union([
  Type.Literal("pending_verification"),
  Type.Literal("pending_approval"),
  Type.Literal("active"),
  Type.Literal("suspended"),
  Type.Literal("deactivated"),
]);

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
  { additionalProperties: false },
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

export const RegisteredUser = Type.Object(UserFields);

export const LoginBody = Type.Object(
  {
    email: Type.String({ maxLength: 320, examples: ["ada@example.com"] }),
    password: Type.String({ maxLength: 1024, examples: ["Correct-Horse-9"] }),
  },
  { additionalProperties: false },
);

const TokenFields = {
  access_token: Type.String({ description: "JWT (HS256), send as `Authorization: Bearer …`" }),
  refresh_token: Type.String({ description: "Opaque, single use: each refresh returns a new one" }),
  token_type: Type.Literal("Bearer"),
  expires_in: Type.Integer({ description: "Access-token lifetime in seconds" }),
  refresh_expires_in: Type.Integer({ description: "Refresh-token lifetime in seconds" }),
};

export const LoginData = Type.Object({
  ...TokenFields,
  user: Type.Object({ id: Uuid, username: Type.String(), email: Type.String(), roles: Type.Array(Type.String()) }),
});

export const RefreshBody = Type.Object(
  { refresh_token: Type.String({ minLength: 1, maxLength: 512 }) },
  {
    additionalProperties: false,
  },
);

export const RefreshData = Type.Object(TokenFields);

export const LogoutBody = Type.Object(
  {
    refresh_token: Type.Optional(
      Type.String({ minLength: 1, maxLength: 512, description: "End this refresh token's session" }),
    ),
    all_devices: Type.Optional(Type.Boolean({ default: false, description: "End every session of the user" })),
  },
  { additionalProperties: false },
);

export const CurrentUser = Type.Object({
  ...UserFields,
  is_active: Type.Boolean(),
  email_verified_at: Type.Union([DateTime, Type.Null()]),
  roles: Type.Array(Type.Object({ id: Uuid, name: Type.String(), permissions: Type.Array(Type.String()) })),
  updated_at: DateTime,
});
