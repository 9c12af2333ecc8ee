import { Type } from "typebox";

const Password = (description: string) => Type.String({ minLength: 1, maxLength: 1024, description });

export const ChangePasswordBody = Type.Object(
  {
    current_password: Password("The password now in use"),
    new_password: Type.String({
      maxLength: 1024,
      description: "8-128 characters (minimum configurable) with an upper-case letter, a lower-case letter and a digit",
    }),
    sign_out_other_sessions: Type.Optional(
      Type.Boolean({ default: true, description: "End every other session (this one stays)" }),
    ),
  },
  { $id: "ChangePasswordRequest", additionalProperties: false },
);

export const ChangePasswordData = Type.Object(
  { other_sessions_ended: Type.Integer({ description: "How many other sessions were ended" }) },
  { $id: "ChangePasswordResult" },
);

export const PasswordConfirmationBody = Type.Object(
  { password: Password("The account's password, to confirm") },
  { $id: "PasswordConfirmationRequest", additionalProperties: false },
);

export const ReactivateBody = Type.Object(
  {
    email: Type.String({ maxLength: 320, examples: ["ada@example.com"] }),
    password: Password("The account's password"),
  },
  { $id: "ReactivateAccountRequest", additionalProperties: false },
);

export const SessionsEnded = Type.Object({ sessions_ended: Type.Integer() }, { $id: "SessionsEnded" });

/** `{ id }` in the path: a UUID in any case (the route lower-cases it), else 400 before any lookup. */
const uuidParams = (description: string) =>
  Type.Object({
    id: Type.String({
      pattern: "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
      description,
    }),
  });

export const SessionIdParams = uuidParams("A session id from GET /api/v1/auth/sessions");

export const Session = Type.Object(
  {
    id: Type.String({ format: "uuid", description: "The session id (`sid` of its access tokens)" }),
    created_at: Type.String({ format: "date-time", description: "When the session started (login)" }),
    last_used_at: Type.String({ format: "date-time", description: "Its last token refresh, or its start" }),
    user_agent: Type.Union([Type.String(), Type.Null()]),
    ip_address: Type.Union([Type.String(), Type.Null()]),
    current: Type.Boolean({ description: "The session of the access token making this request" }),
  },
  { $id: "Session" },
);

export const KnownDevice = Type.Object(
  {
    id: Type.String({ format: "uuid", description: "The device id, for DELETE /api/v1/auth/sessions/devices/{id}" }),
    created_at: Type.String({ format: "date-time", description: "The login that made this device known" }),
    expires_at: Type.String({ format: "date-time", description: "When it stops being known without a new login" }),
    user_agent: Type.Union([Type.String(), Type.Null()]),
    ip_address: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: "KnownDevice" },
);

export const SessionList = Type.Object(
  {
    sessions: Type.Array(Session),
    devices: Type.Array(KnownDevice, {
      description: "Known devices: their failed sign-ins spend their own budget, not the account's",
    }),
  },
  { $id: "SessionList" },
);

export const DeviceIdParams = uuidParams("A device id from GET /api/v1/auth/sessions");
