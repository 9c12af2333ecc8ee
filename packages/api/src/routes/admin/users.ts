import type { UserSortField } from "@gatehouse/domain";
import { SENSITIVE } from "../../http/assurance-hook.js";
import { definedFields } from "../../http/defined-fields.js";
import { actorOf } from "../../http/permission-hook.js";
import { requestContext } from "../../http/request-context.js";
import {
  AdminUser,
  AdminUserWithIdentities,
  CreateUserBody,
  UpdatedUser,
  UpdateUserBody,
  UserIdParams,
  UserListQuerystring,
  UserPage,
  UserStatisticsData,
} from "../../schemas/admin-schemas.js";
import { Envelope, errorResponses, ok } from "../../schemas/envelope.js";
import { adminAccountResponse, adminUserResponse, identityResponse, paginationOf } from "../responses.js";
import { type RoutesPlugin, bearer as security } from "../routes-plugin.js";
import { booleanOf, integerOr } from "./query.js";

const tags = ["admin: users"];
const BASE = "/api/v1/admin/users";

/**
 * /api/v1/admin/users: an administrator listing, reading, creating and updating other users.
 * Lifecycle changes are in admin/user-lifecycle.ts, role assignment in admin/user-roles.ts.
 */
export const adminUserRoutes: RoutesPlugin = async (app, { options }) => {
  const { admin } = options.useCases;
  /** The user as it is now, with its roles: what every change answers. */
  const current = async (userId: string) => adminAccountResponse(await admin.getUser(userId));

  app.get(
    BASE,
    {
      config: { permission: "users:read" },
      schema: {
        tags,
        security,
        operationId: "adminListUsers",
        summary: "List users",
        description: "Filtered, sorted, paginated. Soft-deleted users only with include_deleted=true.",
        querystring: UserListQuerystring,
        response: { 200: Envelope(UserPage), ...errorResponses(400, 401, 403) },
      },
    },
    async (request) => {
      const q = request.query;
      const page = integerOr(q.page, 1);
      const perPage = integerOr(q.per_page, 20);
      const result = await admin.listUsers({
        page,
        perPage,
        includeDeleted: q.include_deleted === "true",
        sort: (q.sort ?? "created_at") satisfies UserSortField,
        order: q.order ?? "desc",
        ...definedFields({ search: q.search, role: q.role, status: q.status, isActive: booleanOf(q.is_active) }),
      });
      return ok({
        items: result.items.map((item) => adminUserResponse(item.user, item.roleNames)),
        pagination: paginationOf(page, perPage, result.totalItems),
      });
    },
  );

  app.get(
    `${BASE}/statistics`,
    {
      config: { permission: "users:read" },
      schema: {
        tags,
        security,
        operationId: "adminUserStatistics",
        summary: "User statistics",
        description: "Counts by role and status, active/inactive, soft-deleted, registrations in 24 h / 7 d / 30 d.",
        response: { 200: Envelope(UserStatisticsData), ...errorResponses(401, 403) },
      },
    },
    async () => {
      const stats = await admin.getUserStatistics();
      return ok({
        total_users: stats.totalUsers,
        active: stats.active,
        inactive: stats.inactive,
        deleted: stats.deleted,
        by_status: stats.byStatus,
        by_role: stats.byRole,
        registrations: {
          last_24h: stats.registrations.last24h,
          last_7d: stats.registrations.last7d,
          last_30d: stats.registrations.last30d,
        },
      });
    },
  );

  app.get(
    `${BASE}/:id`,
    {
      config: { permission: "users:read" },
      schema: {
        tags,
        security,
        operationId: "adminGetUser",
        summary: "Get a user",
        description:
          "Soft-deleted users too, with is_deleted, deleted_at and deleted_by, and the provider accounts " +
          "linked to the user (`identities`).",
        params: UserIdParams,
        response: { 200: Envelope(AdminUserWithIdentities), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const user = await current(request.params.id);
      const linked = (await options.useCases.identities?.listIdentities(user.id)) ?? [];
      return ok({ ...user, identities: linked.map(identityResponse) });
    },
  );

  app.post(
    BASE,
    {
      config: { permission: "users:write" },
      schema: {
        tags,
        security,
        operationId: "adminCreateUser",
        summary: "Create a user",
        description:
          "Validated like registration. Without `password` the account cannot sign in until its owner resets " +
          "the password. Roles must exist; granting super_admin needs a super_admin, and no role may carry a " +
          "permission the caller lacks.",
        body: CreateUserBody,
        response: { 201: Envelope(AdminUser), ...errorResponses(400, 401, 403, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const created = await admin.createUser(
        actorOf(request),
        {
          username: body.username,
          email: body.email,
          fullName: body.full_name ?? null,
          phoneNumber: body.phone_number ?? null,
          organization: body.organization ?? null,
          department: body.department ?? null,
          ...definedFields({ password: body.password, roles: body.roles, status: body.status }),
        },
        requestContext(request),
      );
      return reply.code(201).send(ok(adminAccountResponse(created), "User created successfully"));
    },
  );

  app.put(
    `${BASE}/:id`,
    {
      config: { permission: "users:write", ...SENSITIVE },
      schema: {
        tags,
        security,
        operationId: "adminUpdateUser",
        summary: "Update a user",
        description:
          "Only username, email, full_name, phone_number, organization, department and is_active; any other " +
          "field is a 400 and nothing is applied. is_active=false deactivates and ends every session. A new " +
          "email becomes the sign-in email at once only for a caller holding users:write_email (dangerous, " +
          "super_admin only); otherwise it is a pending change (`pending_email`): a code goes to the new " +
          "address and the email changes once the user confirms it.",
        params: UserIdParams,
        body: UpdateUserBody,
        response: { 200: Envelope(UpdatedUser), ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422) },
      },
    },
    async (request) => {
      const body = request.body;
      const { user, pendingEmail } = await admin.updateUser(
        actorOf(request),
        request.params.id,
        definedFields({
          username: body.username,
          email: body.email,
          fullName: body.full_name,
          phoneNumber: body.phone_number,
          organization: body.organization,
          department: body.department,
          isActive: body.is_active,
        }),
        requestContext(request),
      );
      return ok(
        { ...(await current(user.id)), pending_email: pendingEmail },
        pendingEmail === null
          ? "User updated successfully"
          : "User updated; the new email applies once the user confirms the code mailed to it",
      );
    },
  );
};
