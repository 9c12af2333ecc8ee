import { Type } from "typebox";

const DateTime = Type.String({ format: "date-time" });
export const Uuid = Type.String({ format: "uuid" });

const Description = Type.Union([Type.String({ maxLength: 500 }), Type.Null()]);
const RoleName = Type.String({
  maxLength: 50,
  description: "Lower-case letters, digits and '_', 2-50 characters; unique",
  examples: ["support_agent"],
});

export const IdParams = Type.Object({ id: Uuid });
export const RolePermissionParams = Type.Object({ id: Uuid, permission_id: Uuid });
export const UserRoleParams = Type.Object({ id: Uuid, role_id: Uuid });

export const PermissionRef = Type.Object({ id: Uuid, name: Type.String() }, { $id: "PermissionRef" });

export const RoleData = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
    is_system: Type.Boolean({ description: "Seeded roles: cannot be renamed, changed or deleted" }),
    permissions: Type.Array(PermissionRef),
    user_count: Type.Integer({ description: "Live (not soft-deleted) users holding the role" }),
    created_at: DateTime,
    updated_at: DateTime,
  },
  { $id: "Role" },
);

export const PermissionData = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
    created_at: DateTime,
    updated_at: DateTime,
  },
  { $id: "Permission" },
);

export const CreateRoleBody = Type.Object(
  { name: RoleName, description: Type.Optional(Description) },
  { $id: "CreateRoleRequest", additionalProperties: false },
);

export const UpdateRoleBody = Type.Object(
  { name: Type.Optional(RoleName), description: Type.Optional(Description) },
  { $id: "UpdateRoleRequest", additionalProperties: false, minProperties: 1 },
);

export const DeleteRoleQuery = Type.Object(
  {
    force: Type.Optional(
      Type.Union([Type.Literal("true"), Type.Literal("false")], {
        description: "`true` unassigns the role from its holders and deletes it",
      }),
    ),
  },
  { additionalProperties: false },
);

export const PermissionIdsBody = Type.Object(
  { permission_ids: Type.Array(Uuid, { minItems: 1, maxItems: 100, uniqueItems: true }) },
  { $id: "PermissionIdsRequest", additionalProperties: false },
);

export const CreatePermissionBody = Type.Object(
  {
    name: Type.String({
      maxLength: 100,
      description: "`resource:action` in lower-case letters, digits and '_'; unique",
      examples: ["reports:export"],
    }),
    description: Type.Optional(Description),
  },
  { $id: "CreatePermissionRequest", additionalProperties: false },
);

export const AssignRolesBody = Type.Union(
  [
    Type.Object(
      { role_ids: Type.Array(Uuid, { minItems: 1, maxItems: 50, uniqueItems: true }) },
      { additionalProperties: false },
    ),
    Type.Object(
      { role_names: Type.Array(Type.String({ maxLength: 50 }), { minItems: 1, maxItems: 50, uniqueItems: true }) },
      { additionalProperties: false },
    ),
  ],
  { $id: "AssignRolesRequest", description: "Either `role_ids` or `role_names`" },
);

export const UserRolesData = Type.Object(
  {
    user_id: Uuid,
    roles: Type.Array(Type.Object({ id: Uuid, name: Type.String(), permissions: Type.Array(Type.String()) })),
  },
  { $id: "UserRoles" },
);
