import { type TSchema, Type } from "typebox";
import { Identity } from "./identity-schemas.js";
import { AccountStatusSchema } from "./user-schemas.js";

const DateTime = Type.String({ format: "date-time" });
const Uuid = Type.String({ format: "uuid" });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

// Query strings arrive as strings and coercion is off: numbers and booleans are matched as
// text here and parsed by the route, so "1e3", "01" or "yes" are a 400, not a guess.
const PageParam = Type.String({ pattern: "^[1-9][0-9]{0,5}$", description: "1-based page number" });
const PerPageParam = Type.String({ pattern: "^(100|[1-9][0-9]?)$", description: "Items per page, 1-100" });
const BooleanParam = Type.Union([Type.Literal("true"), Type.Literal("false")]);

export const UserIdParams = Type.Object({ id: Uuid }, { additionalProperties: false });

export const UserListQuerystring = Type.Object(
  {
    page: Type.Optional(PageParam),
    per_page: Type.Optional(PerPageParam),
    search: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        // Control characters are refused: the index joins the fields with U+001F.
        pattern: "^[^\\u0000-\\u001f]+$",
        description: "Case-insensitive substring of username, email or full name; % and _ match themselves",
      }),
    ),
    role: Type.Optional(Type.String({ pattern: "^[a-z0-9_]{2,50}$", description: "Role name" })),
    is_active: Type.Optional(BooleanParam),
    status: Type.Optional(AccountStatusSchema),
    include_deleted: Type.Optional(BooleanParam),
    sort: Type.Optional(
      Type.Union([Type.Literal("created_at"), Type.Literal("username"), Type.Literal("email")], {
        description: "Default created_at",
      }),
    ),
    order: Type.Optional(Type.Union([Type.Literal("asc"), Type.Literal("desc")], { description: "Default desc" })),
  },
  { additionalProperties: false },
);

export const AdminUser = Type.Object(
  {
    id: Uuid,
    username: Type.String(),
    email: Type.String(),
    full_name: Nullable(Type.String()),
    phone_number: Nullable(Type.String()),
    organization: Nullable(Type.String()),
    department: Nullable(Type.String()),
    status: AccountStatusSchema,
    status_reason: Nullable(Type.String()),
    status_changed_at: DateTime,
    roles: Type.Array(Type.String()),
    is_active: Type.Boolean(),
    is_deleted: Type.Boolean(),
    deleted_at: Nullable(DateTime),
    deleted_by: Nullable(Uuid),
    email_verified_at: Nullable(DateTime),
    keycloak_id: Nullable(Type.String({ description: "The linked Keycloak account (IDENTITY_BACKEND=keycloak)" })),
    keycloak_sync_status: Nullable(
      Type.Union([Type.Literal("pending"), Type.Literal("synced"), Type.Literal("failed")], {
        description: "Whether Keycloak holds this row's state; null when Keycloak does not manage the user",
      }),
    ),
    created_at: DateTime,
    updated_at: DateTime,
  },
  { $id: "AdminUser", description: "A user as an administrator sees it" },
);

export const Pagination = Type.Object(
  {
    page: Type.Integer(),
    per_page: Type.Integer(),
    total_items: Type.Integer(),
    total_pages: Type.Integer(),
  },
  { $id: "Pagination" },
);

/** One user with the provider accounts linked to it (GET /admin/users/{id}). */
export const AdminUserWithIdentities = Type.Object(
  { ...AdminUser.properties, identities: Type.Array(Identity) },
  { $id: "AdminUserWithIdentities" },
);

export const UserPage = Type.Object({ items: Type.Array(AdminUser), pagination: Pagination }, { $id: "UserPage" });

const ProfileFields = {
  full_name: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  phone_number: Type.Optional(Nullable(Type.String({ maxLength: 50 }))),
  organization: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  department: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
};

export const CreateUserBody = Type.Object(
  {
    username: Type.String({ maxLength: 200 }),
    email: Type.String({ maxLength: 320 }),
    password: Type.Optional(
      Type.String({
        maxLength: 1024,
        description: "Omit to create the account without a usable password: its owner must reset it to sign in",
      }),
    ),
    ...ProfileFields,
    roles: Type.Optional(
      Type.Array(Type.String({ maxLength: 50 }), { maxItems: 20, description: 'Role names; default ["user"]' }),
    ),
    status: Type.Optional(
      Type.Union([Type.Literal("active"), Type.Literal("pending_verification"), Type.Literal("pending_approval")], {
        description: "Default active",
      }),
    ),
  },
  { $id: "CreateUserRequest", additionalProperties: false },
);

export const UpdateUserBody = Type.Object(
  {
    username: Type.Optional(Type.String({ maxLength: 200 })),
    email: Type.Optional(Type.String({ maxLength: 320 })),
    ...ProfileFields,
    is_active: Type.Optional(Type.Boolean({ description: "false deactivates (ends every session); true reactivates" })),
  },
  {
    $id: "UpdateUserRequest",
    additionalProperties: false,
    minProperties: 1,
    description: "Only these fields; any other (password_hash, id, roles, deleted_at, …) is a 400",
  },
);

export const SuspendBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 500 }) },
  { $id: "SuspendUserRequest", additionalProperties: false },
);

export const PermanentDeleteQuerystring = Type.Object(
  { confirm: Type.String({ minLength: 1, maxLength: 200, description: "The user's username, repeated" }) },
  { additionalProperties: false },
);

export const UpdatedUser = Type.Object(
  {
    ...AdminUser.properties,
    pending_email: Type.Union([Type.String(), Type.Null()], {
      description:
        "The new address mailed a code: it becomes the sign-in email once the user confirms the code " +
        "(POST /users/me/email/verify), unless the caller holds users:write_email",
    }),
  },
  { $id: "UpdatedUser" },
);

export const RestoredUser = Type.Object({ ...AdminUser.properties, restored_at: DateTime }, { $id: "RestoredUser" });

const count = Type.Integer({ minimum: 0 });
export const MfaResetData = Type.Object(
  {
    factors_removed: Type.Integer({ minimum: 0, description: "TOTP, recovery-code set and passkeys removed" }),
    sessions_ended: Type.Integer({ minimum: 0 }),
  },
  { $id: "MfaReset" },
);

export const UserStatisticsData = Type.Object(
  {
    total_users: count,
    active: count,
    inactive: count,
    deleted: count,
    by_status: Type.Record(Type.String(), count),
    by_role: Type.Record(Type.String(), count),
    registrations: Type.Object({ last_24h: count, last_7d: count, last_30d: count }),
  },
  { $id: "UserStatistics" },
);

export const AuditLogQuerystring = Type.Object(
  {
    page: Type.Optional(PageParam),
    per_page: Type.Optional(PerPageParam),
    user_id: Type.Optional(Uuid),
    action: Type.Optional(Type.String({ pattern: "^[a-z_]+\\.[a-z_]+$", maxLength: 100 })),
    resource_type: Type.Optional(Type.String({ pattern: "^[a-z_]+$", maxLength: 50 })),
    resource_id: Type.Optional(Uuid),
    status: Type.Optional(Type.Union([Type.Literal("success"), Type.Literal("failure")])),
    from: Type.Optional(DateTime),
    to: Type.Optional(DateTime),
  },
  { additionalProperties: false },
);

export const AuditLogItem = Type.Object(
  {
    id: Uuid,
    timestamp: DateTime,
    user_id: Nullable(Uuid),
    username: Nullable(Type.String()),
    action: Type.String(),
    resource_type: Type.String(),
    resource_id: Nullable(Uuid),
    ip_address: Nullable(Type.String()),
    user_agent: Nullable(Type.String()),
    request_id: Nullable(Type.String()),
    status: Type.Union([Type.Literal("success"), Type.Literal("failure")]),
    details: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
    duration_ms: Nullable(Type.Integer()),
  },
  { $id: "AuditEntry", description: "One row of the audit log" },
);

export const AuditLogPage = Type.Object(
  { items: Type.Array(AuditLogItem), pagination: Pagination },
  { $id: "AuditLogPage" },
);
