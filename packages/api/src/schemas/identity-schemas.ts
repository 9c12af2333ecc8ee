import { Type } from "typebox";

const DateTime = Type.String({ format: "date-time" });
const Uuid = Type.String({ format: "uuid" });

/** A provider account linked to a user. */
export const Identity = Type.Object(
  {
    id: Uuid,
    provider: Type.String({ description: "The provider name of OAUTH_PROVIDERS" }),
    subject: Type.Optional(Type.String({ description: "The provider's stable id of the account" })),
    email: Type.Union([Type.String(), Type.Null()], { description: "The address the provider reported at linking" }),
    linked_at: DateTime,
    last_used_at: Type.Union([DateTime, Type.Null()]),
  },
  { $id: "Identity" },
);

export const IdentityList = Type.Object({ items: Type.Array(Identity) }, { $id: "IdentityList" });

export const IdentityIdParams = Type.Object({ id: Uuid }, { additionalProperties: false });

export const UserIdentityParams = Type.Object({ id: Uuid, identity_id: Uuid }, { additionalProperties: false });

export const LinkQuery = Type.Object(
  {
    redirect_uri: Type.String({ minLength: 1, maxLength: 2048, description: "App URL on OAUTH_ALLOWED_REDIRECT_URIS" }),
    state: Type.Optional(Type.String({ maxLength: 512, description: "The app's own state, handed back" })),
  },
  { additionalProperties: false },
);
